// How a user is named wherever the application shows one (signed in, recorded by, changed by,
// viewed by): the user directory's display name, else the login role's own name (the schema
// owner, or a role made outside `ims user add`, has no directory entry).

/** SQL naming the user whose login role name the SQL expression `role` holds; null stays null. */
export const userDisplayName = (role: string): string =>
  `coalesce((SELECT d.display_name FROM ims.user_directory d WHERE d.role_name = ${role}), ${role})`;
