#!/bin/sh
# Restore a backup made by scripts/backup.sh (docs/operations.md, "Restore"):
#   CASEAPP_DATABASE_URL    a new, empty PostgreSQL database (createdb caseapp_restored)
#   CASEAPP_FILESTORE_PATH  the file store folder to fill (empty or missing)
#   CASEAPP_MATCHING_PATH   the matching index folder to fill (empty or missing)
# then `caseapp db upgrade` (a backup of older code is migrated to this code's schema).
# Usage: scripts/restore.sh /backups/caseapp-2026-12-03
# CASEAPP_COMMAND: the caseapp command (default: caseapp on the PATH).
set -eu

src=${1:?"usage: $0 BACKUP_FOLDER"}
: "${CASEAPP_DATABASE_URL:?set CASEAPP_DATABASE_URL (a new, empty PostgreSQL database)}"
: "${CASEAPP_FILESTORE_PATH:?set CASEAPP_FILESTORE_PATH}"
: "${CASEAPP_MATCHING_PATH:?set CASEAPP_MATCHING_PATH}"
if [ ! -f "$src/caseapp.dump" ]; then
    echo "$0: $src/caseapp.dump is missing: not a backup folder" >&2
    exit 2
fi
for folder in "$CASEAPP_FILESTORE_PATH" "$CASEAPP_MATCHING_PATH"; do
    if [ -d "$folder" ] && [ -n "$(ls -A "$folder")" ]; then
        echo "$0: $folder is not empty: restore into empty folders" >&2
        exit 2
    fi
done
url=$(printf '%s' "$CASEAPP_DATABASE_URL" | sed -E 's|^postgresql\+[a-z0-9]+://|postgresql://|')

# 1. The database, in one transaction: all of it or nothing (a table already there stops it).
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$src/caseapp.dump"
# 2. The file store and 3. the matching index.
mkdir -p "$CASEAPP_FILESTORE_PATH" "$CASEAPP_MATCHING_PATH"
cp -a "$src/files/." "$CASEAPP_FILESTORE_PATH/"
cp -a "$src/matching/." "$CASEAPP_MATCHING_PATH/"
# 4. The schema of this code (nothing to do when the backup is of the same version).
${CASEAPP_COMMAND:-caseapp} db upgrade
echo "restored from $src; check GET /health"
