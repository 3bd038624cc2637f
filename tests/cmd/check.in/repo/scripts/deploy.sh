#!/bin/sh
set -e
rsync -avz --delete dist/ host:/var/www/app/
# hindsight: allow no-rsync-delete -- mirrors a read-only backup, OPS-42
rsync -a --delete /srv/backup/ /mnt/mirror/
