#!/usr/bin/env bash
# Fetches the Hard Hat Workers data set (public domain) and lays it out as a YOLO data set with the splits
# stageprune's benchmarks use:
#   images/train, labels/train         the first 2,500 training images of the export (by file name)
#   images/selection, labels/selection 613 images of the export's valid/: choose configurations here
#   images/test, labels/test           800 images of the export's valid/: report here, once
# (the export's own test split is not used). Every file is checked against MANIFEST.sha256.
#
#   bash datasets/hardhat/fetch.sh [--from EXPORT_DIR] [--out DIR]
#
# --from: a local copy of the export (the folder holding data.yaml, train/ and valid/) instead of the download.
# --out:  where to write (default: datasets/hardhat/data, ignored by git).
# The download is the export as committed in the GitHub repository ahamedkafeel22/helmet-safety-detection,
# pinned to one commit (folder Hard-Hat-Workers-1; Roboflow Universe kafeel/hard-hat-workers-ea2v7 v1).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO=ahamedkafeel22/helmet-safety-detection
COMMIT=c73ce1ea773fb0b20c4a7bb06123399e2281394a
FOLDER=Hard-Hat-Workers-1
URL="https://codeload.github.com/$REPO/tar.gz/$COMMIT"

from=""
out="$here/data"
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from="${2:?--from needs a folder}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    -h | --help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fetch.sh: unknown argument '$1' (expected --from DIR or --out DIR)" >&2; exit 2 ;;
  esac
done

fail() { echo "fetch.sh: $*" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -z "$from" ]; then
  echo "downloading $REPO@${COMMIT:0:12} ($FOLDER)"
  curl -fL --retry 3 -o "$work/export.tar.gz" "$URL" || fail "download failed: $URL (name a local copy with --from DIR)"
  tar -xzf "$work/export.tar.gz" -C "$work" --wildcards "*/$FOLDER/*" || fail "the archive has no $FOLDER/ folder"
  from="$(find "$work" -maxdepth 2 -type d -name "$FOLDER" | head -n 1)"
  [ -n "$from" ] || fail "the archive has no $FOLDER/ folder"
fi
[ -d "$from/train" ] && [ -d "$from/valid" ] || fail "$from is not the export (expected train/ and valid/ in it)"

echo "checking $(wc -l <"$here/MANIFEST.sha256") files against MANIFEST.sha256"
if ! (cd "$from" && sha256sum --quiet --strict -c "$here/MANIFEST.sha256") >"$work/check.log" 2>&1; then
  bad="$(grep -c -v '^sha256sum' "$work/check.log" || true)"
  sed -n '1,5p' "$work/check.log" >&2
  fail "$bad file(s) missing or different from the manifest in $from; nothing was written"
fi

# Write into a fresh folder beside the target, then swap it in: a failure never leaves half a data set.
mkdir -p "$(dirname "$out")"
stage="$(mktemp -d "$(dirname "$out")/.fetch.XXXXXX")"
place() { # split, source folder (train|valid), list of image file names on stdin
  mkdir -p "$stage/images/$1" "$stage/labels/$1"
  while read -r f; do
    cp "$from/$2/images/$f" "$stage/images/$1/"
    cp "$from/$2/labels/${f%.*}.txt" "$stage/labels/$1/"
  done
}
grep -o ' train/images/.*' "$here/MANIFEST.sha256" | sed 's|^ train/images/||' | place train train
place selection valid <"$here/splits/selection.txt"
place test valid <"$here/splits/test.txt"
cp "$here/LICENSE" "$stage/LICENSE"
[ -f "$from/README.dataset.txt" ] && cp "$from/README.dataset.txt" "$stage/"
cat >"$stage/data.yaml" <<YAML
# Hard Hat Workers (public domain), laid out by datasets/hardhat/fetch.sh from $REPO@$COMMIT/$FOLDER.
# selection and test are two seeded parts of the export's valid/ (splits/*.txt); its test split is not used.
path: .
train: images/train
val: images/selection
test: images/test
names:
  0: head
  1: helmet
  2: person
YAML
rm -rf "$out"
mv "$stage" "$out"
echo "wrote $out: train $(ls "$out/images/train" | wc -l), selection $(ls "$out/images/selection" | wc -l), test $(ls "$out/images/test" | wc -l) images"
