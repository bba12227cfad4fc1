/** Event names are case- and space-insensitive (`Sign Up` = `SignUp` = `signup`). */
export function eventNameKey(name: string): string {
  return name.replace(/\s+/g, '').toLowerCase();
}

/** Events wacast records itself; uploads may not use these names. */
export const SYSTEM_EVENTS = {
  sent: 'Notification Sent',
  delivered: 'Notification Delivered',
  viewed: 'Notification Viewed',
  replied: 'Notification Replied',
  failed: 'Notification Failed',
} as const;
