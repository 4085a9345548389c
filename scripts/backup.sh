#!/bin/sh
# Back up caseapp into a new folder: the database, then the file store, then the matching index
# (docs/operations.md, "Back up", says why in that order). Reads the settings the app reads:
#   CASEAPP_DATABASE_URL    postgresql+psycopg://user@host:5432/caseapp (PostgreSQL only)
#   CASEAPP_FILESTORE_PATH  the file store folder
#   CASEAPP_MATCHING_PATH   the matching index folder
# Usage: scripts/backup.sh /backups/caseapp-2026-12-03
# Uses pg_dump from the PATH: it must be the server's major version (/usr/lib/postgresql/<major>/bin).
set -eu

dest=${1:?"usage: $0 NEW_BACKUP_FOLDER"}
: "${CASEAPP_DATABASE_URL:?set CASEAPP_DATABASE_URL (the app's PostgreSQL database)}"
: "${CASEAPP_FILESTORE_PATH:?set CASEAPP_FILESTORE_PATH (the app's file store folder)}"
: "${CASEAPP_MATCHING_PATH:?set CASEAPP_MATCHING_PATH (the app's matching index folder)}"
case "$CASEAPP_DATABASE_URL" in
    postgresql*) ;;
    *) echo "$0: CASEAPP_DATABASE_URL is not a PostgreSQL database" >&2; exit 2 ;;
esac
if [ -e "$dest" ]; then
    echo "$0: $dest exists already: a backup goes into a new folder" >&2
    exit 2
fi
# libpq reads postgresql://..., not SQLAlchemy's postgresql+psycopg://...
url=$(printf '%s' "$CASEAPP_DATABASE_URL" | sed -E 's|^postgresql\+[a-z0-9]+://|postgresql://|')

mkdir -p "$dest"
# 1. The database: one consistent snapshot, custom format (compressed; pg_restore picks from it).
pg_dump --format=custom --no-owner --no-privileges --file="$dest/caseapp.dump" "$url"
# 2. The file store: files are written before the rows that name them and never changed, so every
#    file the snapshot names is already there.
mkdir -p "$dest/files"
if [ -d "$CASEAPP_FILESTORE_PATH" ]; then
    cp -a "$CASEAPP_FILESTORE_PATH/." "$dest/files/"
fi
# 3. The matching index (or its shards): meta.json first, since a save writes it last and keeps
#    the checkpoint before, so the copy is a whole index even if a save runs meanwhile.
mkdir -p "$dest/matching"
if [ -d "$CASEAPP_MATCHING_PATH" ]; then
    (cd "$CASEAPP_MATCHING_PATH" && find . -name meta.json -exec cp --parents -a {} "$dest/matching/" \;)
    cp -a -n "$CASEAPP_MATCHING_PATH/." "$dest/matching/"
fi
echo "backed up to $dest: caseapp.dump, files/, matching/"
