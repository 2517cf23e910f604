/** HTML pages answered to AltaPay callbacks, which the gateway shows to the customer. */
export {
  type CallbackPageKind,
  type CallbackPageModel,
  renderCallbackPage,
  renderNoticePage,
} from './callback-page';
export { escapeHtml } from './escape';
export { chooseLanguage, languageFromAcceptLanguage, withPageTextOverrides } from './page-language';
export {
  defaultPageTexts,
  type PageCatalogue,
  type PageLanguage,
  type PageTexts,
  pageLanguages,
} from './page-texts';
