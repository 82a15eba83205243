#!/usr/bin/env bash
# Windows release package, cross-built on Linux (README "On Windows"):
#   target/package/exdoctor-<version>-x86_64-pc-windows-gnu.zip
# holding exdoctor.exe (profile `dist`: the release build without debug info or symbols),
# README.md, LICENSE and THIRD-PARTY-LICENSES.txt (the crates compiled into the exe),
# then prints the zip's SHA-256 and the exe's size.
#
# Needs the Rust target and the MinGW linker:
#   rustup target add x86_64-pc-windows-gnu
#   apt-get install --no-install-recommends gcc-mingw-w64-x86-64
# The Wine test shim (.ci/wine-shim) is never built or packaged here: the exe uses the
# real bcryptprimitives.dll of Windows 10 / Server 2016 and later.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
target=x86_64-pc-windows-gnu
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=${CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER:-x86_64-w64-mingw32-gcc}

cargo build --locked --profile dist --target "$target" --bin exdoctor
exe=target/$target/dist/exdoctor.exe
version=$(cargo metadata --locked --no-deps --format-version 1 |
  python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "exdoctor"))')
name=exdoctor-$version-$target
out=target/package
mkdir -p "$out"

# The exe must carry no debug info and load only DLLs every Windows 10 has.
objdump=x86_64-w64-mingw32-objdump
if "$objdump" -h "$exe" | grep -q '\.debug_'; then
  echo "package-windows: $exe has debug sections" >&2
  exit 1
fi
imports=$("$objdump" -p "$exe" | sed -n 's/^\s*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u)
for dll in $imports; do
  case $dll in
    kernel32.dll | ntdll.dll | advapi32.dll | msvcrt.dll | bcryptprimitives.dll | ws2_32.dll | userenv.dll | \
      api-ms-win-core-*.dll) ;;
    *) echo "package-windows: $exe imports $dll, which Windows does not ship" >&2; exit 1 ;;
  esac
done

cargo metadata --locked --format-version 1 --filter-platform "$target" > "$out/metadata.json"
python3 - "$out" "$name" "$exe" "$(git log -1 --format=%ct 2>/dev/null || echo 315532800)" <<'PY'
import json, os, sys, time, zipfile

out, name, exe, epoch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
meta = json.load(open(os.path.join(out, "metadata.json")))
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = next(i for i, p in packages.items() if p["name"] == "exdoctor" and p["source"] is None)

# Crates linked into the exe: normal dependencies from exdoctor down (no dev or build
# dependencies, no proc macros, which run in the compiler only).
linked, todo = set(), [root]
while todo:
    pid = todo.pop()
    if pid in linked:
        continue
    linked.add(pid)
    for dep in nodes[pid]["deps"]:
        if any(k["kind"] is None for k in dep["dep_kinds"]):
            target_kinds = {k for t in packages[dep["pkg"]]["targets"] for k in t["kind"]}
            if "proc-macro" not in target_kinds:
                todo.append(dep["pkg"])

notice = ["Third-party software compiled into exdoctor.exe, with its licence texts.\n"]
for pid in sorted(linked - {root}, key=lambda i: (packages[i]["name"], packages[i]["version"])):
    p = packages[pid]
    where = p.get("repository") or ""
    notice.append(f"\n{'=' * 78}\n{p['name']} {p['version']}  ({p.get('license') or p.get('license_file')})  {where}\n{'=' * 78}\n")
    folder = os.path.dirname(p["manifest_path"])
    texts = sorted(f for f in os.listdir(folder)
                   if f.upper().startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE", "COPYRIGHT")))
    for f in texts:
        path = os.path.join(folder, f)
        if os.path.isfile(path):
            notice.append(f"--- {f}\n")
            notice.append(open(path, encoding="utf-8", errors="replace").read().rstrip() + "\n")
    if not texts:
        notice.append(f"(no licence file in the crate; licence: {p.get('license')})\n")

stamp = time.gmtime(max(epoch, 315532800))[:6]
files = [
    ("exdoctor.exe", open(exe, "rb").read()),
    ("README.md", open("README.md", "rb").read()),
    ("LICENSE", open("LICENSE", "rb").read()),
    ("THIRD-PARTY-LICENSES.txt", "".join(notice).replace("\r\n", "\n").encode()),
]
path = os.path.join(out, name + ".zip")
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for entry, data in files:
        info = zipfile.ZipInfo(f"{name}/{entry}", date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        z.writestr(info, data)
with zipfile.ZipFile(path) as z:
    names = sorted(n.split("/", 1)[1] for n in z.namelist())
assert names == ["LICENSE", "README.md", "THIRD-PARTY-LICENSES.txt", "exdoctor.exe"], names
print(f"package-windows: {len(linked) - 1} third-party crates in THIRD-PARTY-LICENSES.txt")
PY
rm -f "$out/metadata.json"
size=$(stat -c %s "$exe")
echo "package-windows: exdoctor.exe $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }') MiB)"
echo "package-windows: $out/$name.zip $(stat -c %s "$out/$name.zip") bytes"
(cd "$out" && sha256sum "$name.zip")
