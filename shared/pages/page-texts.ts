/**
 * Every text a customer reads on our pages and in verify-order's refusals, per language. Each language
 * is a `PageTexts`, so a text missing in one language does not compile. Written for each language's
 * own payment vocabulary, not translated word for word.
 */
export interface PageTexts {
  readonly paidTitle: string;
  readonly paidHeading: string;
  readonly paidMessage: string;
  readonly pendingTitle: string;
  readonly pendingHeading: string;
  /** Says how the customer will hear: the shop's e-mail. */
  readonly pendingMessage: string;
  readonly declinedTitle: string;
  readonly declinedHeading: string;
  readonly declinedMessage: string;
  /** Under the gateway's own text for the customer, when it sends one. */
  readonly declinedHint: string;
  readonly cancelledTitle: string;
  readonly cancelledHeading: string;
  readonly cancelledMessage: string;
  readonly alreadyPaidTitle: string;
  readonly alreadyPaidHeading: string;
  readonly alreadyPaidMessage: string;
  readonly closedTitle: string;
  readonly closedHeading: string;
  readonly closedMessage: string;
  readonly orderReference: string;
  readonly amount: string;
  readonly backToShop: string;
  readonly tryAgain: string;
  readonly footer: string;
  /** Error pages for a browser's form post: the order could not be read, was not signed or is too old. */
  readonly notAcceptedHeading: string;
  readonly notAcceptedMessage: string;
  /** The order is paid, closed or being paid. */
  readonly conflictHeading: string;
  readonly conflictMessage: string;
  readonly unavailableHeading: string;
  readonly unavailableMessage: string;
  /** verify-order's refusals, shown by the gateway (first 255 characters, tags stripped). */
  readonly verifyUnknownOrder: string;
  readonly verifyAlreadyPaid: string;
  readonly verifyClosed: string;
  readonly verifyInProgress: string;
  readonly verifyAmountMismatch: string;
}

/** The languages we write pages in, by their `<html lang>` code; English is the fallback. */
export const pageLanguages = ['en', 'da', 'sv', 'nb', 'fi', 'de'] as const;
export type PageLanguage = (typeof pageLanguages)[number];

export type PageCatalogue = Readonly<Record<PageLanguage, PageTexts>>;

const en: PageTexts = {
  paidTitle: 'Payment confirmed',
  paidHeading: 'Thank you — your payment is confirmed',
  paidMessage: 'We have received your payment. Please keep your order reference for your records.',
  pendingTitle: 'Payment processing',
  pendingHeading: 'Your payment is being processed',
  pendingMessage:
    'We are waiting for the final confirmation of your payment. The shop will send you an e-mail as soon ' +
    'as it is complete. There is nothing more you need to do, and please do not pay again.',
  declinedTitle: 'Payment declined',
  declinedHeading: 'Your payment was declined',
  declinedMessage:
    'The payment was not approved and no money has been taken. You can try again or choose another ' +
    'payment method.',
  declinedHint: 'No money has been taken. You can try again or choose another payment method.',
  cancelledTitle: 'Payment cancelled',
  cancelledHeading: 'You cancelled the payment',
  cancelledMessage:
    'No money has been taken. Your order is waiting in the shop if you want to pay after all.',
  alreadyPaidTitle: 'Order already paid',
  alreadyPaidHeading: 'This order is already paid',
  alreadyPaidMessage:
    'We have already received your payment for this order. No further payment is needed and there is ' +
    'nothing more you need to do.',
  closedTitle: 'Order closed',
  closedHeading: 'This order is closed',
  closedMessage:
    'The payment for this order has been returned, so the order cannot be paid again. Please contact ' +
    'the shop if you have any questions.',
  orderReference: 'Order reference',
  amount: 'Amount',
  backToShop: 'Back to the shop',
  tryAgain: 'Try again',
  footer: 'Payment processed securely via AltaPay',
  notAcceptedHeading: 'This order cannot be paid here',
  notAcceptedMessage:
    'Something was wrong with the order the shop sent. Please go back to the shop and start the payment again.',
  conflictHeading: 'This order cannot be paid now',
  conflictMessage:
    'The order may already be paid, or a payment for it is under way. Please go back to the shop and check your order.',
  unavailableHeading: 'Payment is not available right now',
  unavailableMessage: 'The payment service is not answering right now. Please try again in a moment.',
  verifyUnknownOrder: 'We could not find this order. Please return to the shop and try again.',
  verifyAlreadyPaid: 'This order has already been paid. No further payment is needed.',
  verifyClosed: 'This order is closed and cannot be paid again. Please contact the shop.',
  verifyInProgress: 'A payment for this order is already being processed. Please wait for its confirmation.',
  verifyAmountMismatch: 'The amount does not match your order. Please return to the shop and start again.',
};

const da: PageTexts = {
  paidTitle: 'Betalingen er gennemført',
  paidHeading: 'Tak – din betaling er gennemført',
  paidMessage: 'Vi har modtaget din betaling. Gem dit ordrenummer, så du har det til senere.',
  pendingTitle: 'Din betaling behandles',
  pendingHeading: 'Din betaling behandles',
  pendingMessage:
    'Vi venter på den endelige godkendelse af din betaling. Butikken sender dig en e-mail, så snart den er ' +
    'gennemført. Du behøver ikke gøre mere – betal venligst ikke igen.',
  declinedTitle: 'Betalingen blev afvist',
  declinedHeading: 'Din betaling blev afvist',
  declinedMessage:
    'Betalingen blev ikke godkendt, og der er ikke trukket penge. Du kan prøve igen eller vælge en anden ' +
    'betalingsmetode.',
  declinedHint: 'Der er ikke trukket penge. Du kan prøve igen eller vælge en anden betalingsmetode.',
  cancelledTitle: 'Betalingen er annulleret',
  cancelledHeading: 'Du har annulleret betalingen',
  cancelledMessage: 'Der er ikke trukket penge. Din ordre venter i butikken, hvis du alligevel vil betale.',
  alreadyPaidTitle: 'Ordren er allerede betalt',
  alreadyPaidHeading: 'Ordren er allerede betalt',
  alreadyPaidMessage:
    'Vi har allerede modtaget din betaling for denne ordre. Du skal ikke betale igen, og du behøver ikke ' +
    'gøre mere.',
  closedTitle: 'Ordren er lukket',
  closedHeading: 'Ordren er lukket',
  closedMessage:
    'Betalingen for denne ordre er blevet tilbageført, så ordren kan ikke betales igen. Kontakt butikken, ' +
    'hvis du har spørgsmål.',
  orderReference: 'Ordrenummer',
  amount: 'Beløb',
  backToShop: 'Tilbage til butikken',
  tryAgain: 'Prøv igen',
  footer: 'Betalingen behandles sikkert af AltaPay',
  notAcceptedHeading: 'Ordren kan ikke betales her',
  notAcceptedMessage:
    'Der var noget galt med ordren fra butikken. Gå tilbage til butikken, og start betalingen igen.',
  conflictHeading: 'Ordren kan ikke betales lige nu',
  conflictMessage:
    'Ordren er måske allerede betalt, eller en betaling af den er i gang. Gå tilbage til butikken, og se din ordre.',
  unavailableHeading: 'Betaling er ikke mulig lige nu',
  unavailableMessage: 'Betalingstjenesten svarer ikke i øjeblikket. Prøv igen om lidt.',
  verifyUnknownOrder: 'Vi kunne ikke finde denne ordre. Gå tilbage til butikken, og prøv igen.',
  verifyAlreadyPaid: 'Ordren er allerede betalt. Du skal ikke betale igen.',
  verifyClosed: 'Ordren er lukket og kan ikke betales igen. Kontakt butikken.',
  verifyInProgress: 'En betaling af denne ordre er allerede i gang. Vent venligst på bekræftelsen.',
  verifyAmountMismatch: 'Beløbet passer ikke med din ordre. Gå tilbage til butikken, og start forfra.',
};

const sv: PageTexts = {
  paidTitle: 'Betalningen är genomförd',
  paidHeading: 'Tack – din betalning är genomförd',
  paidMessage: 'Vi har tagit emot din betalning. Spara gärna ditt ordernummer.',
  pendingTitle: 'Din betalning behandlas',
  pendingHeading: 'Din betalning behandlas',
  pendingMessage:
    'Vi väntar på det slutliga godkännandet av din betalning. Butiken skickar ett mejl till dig så snart ' +
    'den är klar. Du behöver inte göra något mer – betala inte igen.',
  declinedTitle: 'Betalningen nekades',
  declinedHeading: 'Din betalning nekades',
  declinedMessage:
    'Betalningen godkändes inte och inga pengar har dragits. Du kan försöka igen eller välja ett annat ' +
    'betalsätt.',
  declinedHint: 'Inga pengar har dragits. Du kan försöka igen eller välja ett annat betalsätt.',
  cancelledTitle: 'Betalningen avbröts',
  cancelledHeading: 'Du avbröt betalningen',
  cancelledMessage: 'Inga pengar har dragits. Din order finns kvar i butiken om du vill betala ändå.',
  alreadyPaidTitle: 'Ordern är redan betald',
  alreadyPaidHeading: 'Ordern är redan betald',
  alreadyPaidMessage:
    'Vi har redan tagit emot din betalning för den här ordern. Du behöver inte betala igen eller göra något mer.',
  closedTitle: 'Ordern är avslutad',
  closedHeading: 'Ordern är avslutad',
  closedMessage:
    'Betalningen för den här ordern har återbetalats, så ordern kan inte betalas igen. Kontakta butiken om ' +
    'du har frågor.',
  orderReference: 'Ordernummer',
  amount: 'Belopp',
  backToShop: 'Tillbaka till butiken',
  tryAgain: 'Försök igen',
  footer: 'Betalningen hanteras säkert av AltaPay',
  notAcceptedHeading: 'Ordern kan inte betalas här',
  notAcceptedMessage:
    'Något var fel med ordern från butiken. Gå tillbaka till butiken och starta betalningen igen.',
  conflictHeading: 'Ordern kan inte betalas just nu',
  conflictMessage:
    'Ordern kan redan vara betald, eller så pågår en betalning av den. Gå tillbaka till butiken och kontrollera din order.',
  unavailableHeading: 'Betalning är inte möjlig just nu',
  unavailableMessage: 'Betaltjänsten svarar inte för tillfället. Försök igen om en liten stund.',
  verifyUnknownOrder: 'Vi hittade inte den här ordern. Gå tillbaka till butiken och försök igen.',
  verifyAlreadyPaid: 'Ordern är redan betald. Du behöver inte betala igen.',
  verifyClosed: 'Ordern är avslutad och kan inte betalas igen. Kontakta butiken.',
  verifyInProgress: 'En betalning av den här ordern pågår redan. Vänta på bekräftelsen.',
  verifyAmountMismatch: 'Beloppet stämmer inte med din order. Gå tillbaka till butiken och börja om.',
};

const nb: PageTexts = {
  paidTitle: 'Betalingen er gjennomført',
  paidHeading: 'Takk – betalingen din er gjennomført',
  paidMessage: 'Vi har mottatt betalingen din. Ta gjerne vare på ordrenummeret.',
  pendingTitle: 'Betalingen din behandles',
  pendingHeading: 'Betalingen din behandles',
  pendingMessage:
    'Vi venter på den endelige godkjenningen av betalingen din. Butikken sender deg en e-post så snart den ' +
    'er gjennomført. Du trenger ikke gjøre noe mer – ikke betal på nytt.',
  declinedTitle: 'Betalingen ble avvist',
  declinedHeading: 'Betalingen din ble avvist',
  declinedMessage:
    'Betalingen ble ikke godkjent, og ingen penger er trukket. Du kan prøve igjen eller velge en annen ' +
    'betalingsmåte.',
  declinedHint: 'Ingen penger er trukket. Du kan prøve igjen eller velge en annen betalingsmåte.',
  cancelledTitle: 'Betalingen ble avbrutt',
  cancelledHeading: 'Du avbrøt betalingen',
  cancelledMessage: 'Ingen penger er trukket. Bestillingen din venter i butikken hvis du vil betale likevel.',
  alreadyPaidTitle: 'Bestillingen er allerede betalt',
  alreadyPaidHeading: 'Bestillingen er allerede betalt',
  alreadyPaidMessage:
    'Vi har allerede mottatt betalingen for denne bestillingen. Du trenger ikke betale på nytt eller gjøre noe mer.',
  closedTitle: 'Bestillingen er avsluttet',
  closedHeading: 'Bestillingen er avsluttet',
  closedMessage:
    'Betalingen for denne bestillingen er betalt tilbake, så bestillingen kan ikke betales på nytt. Kontakt ' +
    'butikken hvis du har spørsmål.',
  orderReference: 'Ordrenummer',
  amount: 'Beløp',
  backToShop: 'Tilbake til butikken',
  tryAgain: 'Prøv igjen',
  footer: 'Betalingen behandles sikkert av AltaPay',
  notAcceptedHeading: 'Bestillingen kan ikke betales her',
  notAcceptedMessage:
    'Noe var galt med bestillingen fra butikken. Gå tilbake til butikken og start betalingen på nytt.',
  conflictHeading: 'Bestillingen kan ikke betales akkurat nå',
  conflictMessage:
    'Bestillingen kan allerede være betalt, eller en betaling av den pågår. Gå tilbake til butikken og sjekk bestillingen din.',
  unavailableHeading: 'Betaling er ikke mulig akkurat nå',
  unavailableMessage: 'Betalingstjenesten svarer ikke for øyeblikket. Prøv igjen om litt.',
  verifyUnknownOrder: 'Vi fant ikke denne bestillingen. Gå tilbake til butikken og prøv igjen.',
  verifyAlreadyPaid: 'Bestillingen er allerede betalt. Du trenger ikke betale på nytt.',
  verifyClosed: 'Bestillingen er avsluttet og kan ikke betales på nytt. Kontakt butikken.',
  verifyInProgress: 'En betaling av denne bestillingen pågår allerede. Vent på bekreftelsen.',
  verifyAmountMismatch:
    'Beløpet stemmer ikke med bestillingen din. Gå tilbake til butikken og begynn på nytt.',
};

const fi: PageTexts = {
  paidTitle: 'Maksu on vahvistettu',
  paidHeading: 'Kiitos – maksusi on vahvistettu',
  paidMessage: 'Olemme vastaanottaneet maksusi. Säilytä tilausnumerosi myöhempää tarvetta varten.',
  pendingTitle: 'Maksua käsitellään',
  pendingHeading: 'Maksuasi käsitellään',
  pendingMessage:
    'Odotamme maksusi lopullista vahvistusta. Kauppa lähettää sinulle sähköpostin heti, kun maksu on ' +
    'valmis. Sinun ei tarvitse tehdä mitään – älä maksa uudelleen.',
  declinedTitle: 'Maksu hylättiin',
  declinedHeading: 'Maksusi hylättiin',
  declinedMessage:
    'Maksua ei hyväksytty, eikä tililtäsi ole veloitettu rahaa. Voit yrittää uudelleen tai valita toisen ' +
    'maksutavan.',
  declinedHint: 'Rahaa ei ole veloitettu. Voit yrittää uudelleen tai valita toisen maksutavan.',
  cancelledTitle: 'Maksu peruutettiin',
  cancelledHeading: 'Peruutit maksun',
  cancelledMessage: 'Rahaa ei ole veloitettu. Tilauksesi odottaa kaupassa, jos haluat sittenkin maksaa.',
  alreadyPaidTitle: 'Tilaus on jo maksettu',
  alreadyPaidHeading: 'Tilaus on jo maksettu',
  alreadyPaidMessage:
    'Olemme jo vastaanottaneet maksun tästä tilauksesta. Sinun ei tarvitse maksaa uudelleen eikä tehdä mitään muuta.',
  closedTitle: 'Tilaus on suljettu',
  closedHeading: 'Tilaus on suljettu',
  closedMessage:
    'Tämän tilauksen maksu on palautettu, joten tilausta ei voi maksaa uudelleen. Ota yhteyttä kauppaan, ' +
    'jos sinulla on kysyttävää.',
  orderReference: 'Tilausnumero',
  amount: 'Summa',
  backToShop: 'Takaisin kauppaan',
  tryAgain: 'Yritä uudelleen',
  footer: 'Maksu käsitellään turvallisesti AltaPayn kautta',
  notAcceptedHeading: 'Tilausta ei voi maksaa täällä',
  notAcceptedMessage: 'Kaupan lähettämässä tilauksessa oli virhe. Palaa kauppaan ja aloita maksu uudelleen.',
  conflictHeading: 'Tilausta ei voi maksaa juuri nyt',
  conflictMessage:
    'Tilaus voi olla jo maksettu, tai sen maksu on kesken. Palaa kauppaan ja tarkista tilauksesi.',
  unavailableHeading: 'Maksaminen ei ole juuri nyt mahdollista',
  unavailableMessage: 'Maksupalvelu ei vastaa tällä hetkellä. Yritä hetken kuluttua uudelleen.',
  verifyUnknownOrder: 'Emme löytäneet tätä tilausta. Palaa kauppaan ja yritä uudelleen.',
  verifyAlreadyPaid: 'Tilaus on jo maksettu. Sinun ei tarvitse maksaa uudelleen.',
  verifyClosed: 'Tilaus on suljettu, eikä sitä voi maksaa uudelleen. Ota yhteyttä kauppaan.',
  verifyInProgress: 'Tämän tilauksen maksu on jo käsittelyssä. Odota vahvistusta.',
  verifyAmountMismatch: 'Summa ei vastaa tilaustasi. Palaa kauppaan ja aloita alusta.',
};

const de: PageTexts = {
  paidTitle: 'Zahlung erfolgreich',
  paidHeading: 'Vielen Dank – Ihre Zahlung war erfolgreich',
  paidMessage: 'Wir haben Ihre Zahlung erhalten. Bitte bewahren Sie Ihre Bestellnummer auf.',
  pendingTitle: 'Zahlung wird bearbeitet',
  pendingHeading: 'Ihre Zahlung wird bearbeitet',
  pendingMessage:
    'Wir warten auf die endgültige Bestätigung Ihrer Zahlung. Der Shop schickt Ihnen eine E-Mail, sobald sie ' +
    'abgeschlossen ist. Sie müssen nichts weiter tun – bitte zahlen Sie nicht erneut.',
  declinedTitle: 'Zahlung abgelehnt',
  declinedHeading: 'Ihre Zahlung wurde abgelehnt',
  declinedMessage:
    'Die Zahlung wurde nicht autorisiert, es wurde kein Geld abgebucht. Sie können es erneut versuchen oder ' +
    'eine andere Zahlungsart wählen.',
  declinedHint:
    'Es wurde kein Geld abgebucht. Sie können es erneut versuchen oder eine andere Zahlungsart wählen.',
  cancelledTitle: 'Zahlung abgebrochen',
  cancelledHeading: 'Sie haben die Zahlung abgebrochen',
  cancelledMessage:
    'Es wurde kein Geld abgebucht. Ihre Bestellung wartet im Shop auf Sie, falls Sie doch noch bezahlen möchten.',
  alreadyPaidTitle: 'Bestellung bereits bezahlt',
  alreadyPaidHeading: 'Diese Bestellung ist bereits bezahlt',
  alreadyPaidMessage:
    'Wir haben Ihre Zahlung für diese Bestellung bereits erhalten. Sie müssen nicht erneut zahlen und nichts ' +
    'weiter tun.',
  closedTitle: 'Bestellung abgeschlossen',
  closedHeading: 'Diese Bestellung ist abgeschlossen',
  closedMessage:
    'Die Zahlung für diese Bestellung wurde erstattet, daher kann die Bestellung nicht erneut bezahlt werden. ' +
    'Wenden Sie sich bei Fragen bitte an den Shop.',
  orderReference: 'Bestellnummer',
  amount: 'Betrag',
  backToShop: 'Zurück zum Shop',
  tryAgain: 'Erneut versuchen',
  footer: 'Zahlung sicher abgewickelt über AltaPay',
  notAcceptedHeading: 'Diese Bestellung kann hier nicht bezahlt werden',
  notAcceptedMessage:
    'Mit der Bestellung aus dem Shop stimmte etwas nicht. Bitte kehren Sie zum Shop zurück und starten Sie ' +
    'die Zahlung erneut.',
  conflictHeading: 'Diese Bestellung kann gerade nicht bezahlt werden',
  conflictMessage:
    'Die Bestellung ist möglicherweise schon bezahlt, oder eine Zahlung dafür läuft bereits. Bitte kehren Sie ' +
    'zum Shop zurück und prüfen Sie Ihre Bestellung.',
  unavailableHeading: 'Die Zahlung ist gerade nicht möglich',
  unavailableMessage:
    'Der Zahlungsdienst antwortet im Moment nicht. Bitte versuchen Sie es gleich noch einmal.',
  verifyUnknownOrder:
    'Wir konnten diese Bestellung nicht finden. Bitte kehren Sie zum Shop zurück und versuchen Sie es erneut.',
  verifyAlreadyPaid: 'Diese Bestellung ist bereits bezahlt. Sie müssen nicht erneut zahlen.',
  verifyClosed:
    'Diese Bestellung ist abgeschlossen und kann nicht erneut bezahlt werden. Bitte wenden Sie sich an den Shop.',
  verifyInProgress:
    'Eine Zahlung für diese Bestellung wird bereits bearbeitet. Bitte warten Sie auf die Bestätigung.',
  verifyAmountMismatch:
    'Der Betrag stimmt nicht mit Ihrer Bestellung überein. Bitte kehren Sie zum Shop zurück und beginnen Sie von vorn.',
};

/** The texts as written here, before any merchant override (see page-language.ts). */
export const defaultPageTexts: PageCatalogue = { en, da, sv, nb, fi, de };
