#!/usr/bin/env bash
# `make run`: the main job on the embedded default. Grows with the project.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
echo "== probehub-sensor: capturing real kernel events for 5s (exec, open, connect) =="
$sudo bin/probehub-sensor capture --json --duration 5s --syscalls execve,openat,connect,clone,procexit &
pid=$!
sleep 1
ls / >/dev/null; cat /etc/hostname >/dev/null; (exec true)
wait $pid
