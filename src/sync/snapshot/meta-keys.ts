/** What pm remembers about the tracked snapshot, in the database's meta table. */
export const META_SNAPSHOT_HASH = 'snapshot_hash';
/** The local change counter the tracked snapshot includes: rows stamped higher are not exported yet. */
export const META_EXPORTED_SEQ = 'exported_seq';
/** The stat signature of the snapshot when its hash was last recorded: skips hashing an untouched file. */
export const META_SNAPSHOT_SIGNATURE = 'snapshot_signature';
