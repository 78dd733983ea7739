// The default local user of `steward import` and `report`: `<os user>@<host name>`, cleaned to an email.
export function defaultLocalEmail(osUser: string, hostName: string): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9._+-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'local';
  return `${clean(osUser)}@${clean(hostName)}`;
}
