#!/usr/bin/env bash
# Maintainer tool: writes MANIFEST.sha256 and the split lists from a copy of the Roboflow export (the folder
# that holds data.yaml, train/ and valid/). Run once when the pinned source changes; fetch.sh reads its output.
#   bash datasets/hardhat/make-manifest.sh EXPORT_DIR [TRAIN_IMAGES]
# TRAIN_IMAGES (default 2500): the first N training images by file name; all of valid/.
# valid/ is split into `selection` and `test` (the reporting part) by a seeded order: images sorted by
# sha256("<seed>:<file stem>"), the first TEST_IMAGES of them reported on, the rest for choosing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${1:?usage: make-manifest.sh EXPORT_DIR [TRAIN_IMAGES]}"
train_n="${2:-2500}"
seed=0
test_n=800
cd "$src"
{
  ls train/images | LC_ALL=C sort | head -n "$train_n" | while read -r f; do
    printf 'train/images/%s\ntrain/labels/%s.txt\n' "$f" "${f%.*}"
  done
  ls valid/images | LC_ALL=C sort | while read -r f; do
    printf 'valid/images/%s\nvalid/labels/%s.txt\n' "$f" "${f%.*}"
  done
} | while read -r p; do [ -f "$p" ] && sha256sum "$p"; done >"$here/MANIFEST.sha256"
mkdir -p "$here/splits"
ls valid/images | LC_ALL=C sort | while read -r f; do
  printf '%s %s\n' "$(printf '%s:%s' "$seed" "${f%.*}" | sha256sum | cut -d' ' -f1)" "$f"
done | LC_ALL=C sort | cut -d' ' -f2 >"$here/splits/.order"
head -n "$test_n" "$here/splits/.order" | LC_ALL=C sort >"$here/splits/test.txt"
tail -n +"$((test_n + 1))" "$here/splits/.order" | LC_ALL=C sort >"$here/splits/selection.txt"
rm "$here/splits/.order"
echo "manifest: $(wc -l <"$here/MANIFEST.sha256") files; test $(wc -l <"$here/splits/test.txt"), selection $(wc -l <"$here/splits/selection.txt")"
