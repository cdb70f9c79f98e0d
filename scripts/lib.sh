# Shared helpers for the scripts in this folder. Source it; it defines functions and changes nothing else.
# shellcheck shell=bash

# The repository root (the parent of this scripts/ folder).
repo_root() {
    cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd
}

# Puts the Swift toolchain on PATH when it is installed at /opt/swift but not on PATH yet.
ensure_swift_on_path() {
    if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
        PATH="/opt/swift/usr/bin:$PATH"
        export PATH
    fi
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: swift not found (expected Swift 6.3 at /opt/swift/usr/bin)" >&2
        return 1
    fi
}

# Prints a short phase line.
say() {
    echo "==> $*"
}
