/** Values written the way the gateway writes them: its dates (Danish time) and its amounts. */

// The gateway runs on Danish time: Header/Date carries the offset, CreatedDate/UpdatedDate do not.
const gatewayClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Copenhagen',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

function clockParts(date: Date): { local: string; offset: string } {
  const parts: Record<string, string> = {};
  for (const part of gatewayClock.formatToParts(date)) parts[part.type] = part.value;
  const { year, month, day, hour, minute, second, timeZoneName = 'GMT' } = parts;
  const offset = timeZoneName === 'GMT' ? '+00:00' : timeZoneName.replace('GMT', '');
  return { local: `${year}-${month}-${day} ${hour}:${minute}:${second}`, offset };
}

/** A transaction date as the gateway writes it: `YYYY-MM-DD HH:MM:SS`, Danish time, no zone. */
export function gatewayDateTime(date: Date): string {
  return clockParts(date).local;
}

/** A Header/Date value: ISO 8601 with the Danish offset, e.g. `2026-11-20T10:00:00+01:00`. */
export function gatewayTimestamp(date: Date): string {
  const { local, offset } = clockParts(date);
  return `${local.replace(' ', 'T')}${offset}`;
}

/** Formats integer minor units with the currency's exponent, as the gateway does ('13.29', JPY '100'). */
export function formatMinorUnits(minor: bigint, exponent: number): string {
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exponent + 1, '0');
  const sign = minor < 0n ? '-' : '';
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
