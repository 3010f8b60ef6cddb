#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (written by
# pttutor-grade autograder gradescope). It installs Python 3.11 or newer, a CPU build of torch
# and pttutor with the course's reference solutions and hidden checks (the wheel beside this
# file) into /opt/pttutor, puts pttutor-grade on PATH, and leaves the reference solutions and
# this folder readable by root only: the graded code runs as another user.
set -euxo pipefail
cd /autograder/source
python=""
for candidate in python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1; then python=$(command -v "$candidate"); break; fi
done
if [ -z "$python" ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3.11 python3.11-venv
    python=$(command -v python3.11)
fi
"$python" -m venv /opt/pttutor
/opt/pttutor/bin/python -m pip install --upgrade pip
/opt/pttutor/bin/python -m pip install --index-url https://download.pytorch.org/whl/cpu torch torchvision
/opt/pttutor/bin/python -m pip install "./@WHEEL@"
ln -sf /opt/pttutor/bin/pttutor-grade /usr/local/bin/pttutor-grade
chmod -R go-rwx "$(/opt/pttutor/bin/python -c 'import os, pttutor.solutions; print(os.path.dirname(pttutor.solutions.__file__))')"
chmod -R go-rwx /autograder/source
pttutor-grade --version
