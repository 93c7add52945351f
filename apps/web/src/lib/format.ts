import { i18next } from '../i18n/i18n';

/* Dates, times, sizes and counts through Intl, in the app's current language. */

const locale = (): string => i18next.language || 'en';

// Making an Intl formatter costs far more than using one, and a long message list formats
// hundreds of times per render: one formatter per language and style.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(style: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale()}|${style}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale(), options);
    dateFormats.set(key, format);
  }
  return format;
}

export const formatTime = (iso: string): string => dateFormat('time', { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

export const formatDateTime = (iso: string): string => dateFormat('datetime', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

export const formatDay = (iso: string): string => dateFormat('day', { dateStyle: 'full' }).format(new Date(iso));

/** Today: the time; this week: the weekday; otherwise the date. For chat list rows. */
export function formatShort(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === now.toDateString();
  if (sameDay) return formatTime(iso);
  const days = (now.getTime() - date.getTime()) / 86_400_000;
  if (days < 6) return dateFormat('weekday', { weekday: 'short' }).format(date);
  return date.getFullYear() === now.getFullYear()
    ? dateFormat('dayMonth', { day: 'numeric', month: 'short' }).format(date)
    : dateFormat('dayMonthYear', { day: 'numeric', month: 'short', year: 'numeric' }).format(date);
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
