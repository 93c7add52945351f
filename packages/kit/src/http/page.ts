/** A page of a keyset-paginated list: its items and the cursor of the next page (null at the end). */
export interface Page<T> {
  items: readonly T[];
  nextCursor: string | null;
}

/** A page as it goes out: each item presented, the cursor as it is. */
export const presentPage = <T, View>(page: Page<T>, present: (item: T) => View): { items: View[]; nextCursor: string | null } => ({
  items: page.items.map((item) => present(item)),
  nextCursor: page.nextCursor,
});
