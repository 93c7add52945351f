import { i18next } from '../i18n/i18n';

/* Dates, times, sizes and counts through Intl, in the app's current language. */

const locale = (): string => i18next.language || 'en';

export const formatTime = (iso: string): string => new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

export const formatDateTime = (iso: string): string => new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

export const formatDay = (iso: string): string => new Intl.DateTimeFormat(locale(), { dateStyle: 'full' }).format(new Date(iso));

/** Today: the time; this week: the weekday; otherwise the date. For chat list rows. */
export function formatShort(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === now.toDateString();
  if (sameDay) return formatTime(iso);
  const days = (now.getTime() - date.getTime()) / 86_400_000;
  if (days < 6) return new Intl.DateTimeFormat(locale(), { weekday: 'short' }).format(date);
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }) }).format(date);
}

export function formatBytes(bytes: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale(), { style: 'unit', unit: units[unit], unitDisplay: 'short', maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value);
}

export const formatCount = (count: number): string => new Intl.NumberFormat(locale()).format(count);

export const isSameDay = (a: string, b: string): boolean => new Date(a).toDateString() === new Date(b).toDateString();
