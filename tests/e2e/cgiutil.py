"""Helpers for the tests of programs behind the web server: scripts
written into a temporary cgi-bin, the server started with --cgi, and the
peers started by the tests themselves: Debian's lighttpd (mod_cgi) and
php-fpm (FastCGI), each in the foreground with its own config."""
import os
import shutil
import socket
import subprocess
import time

from httputil import serve

LIGHTTPD = shutil.which("lighttpd") or (
    "/usr/sbin/lighttpd" if os.path.exists("/usr/sbin/lighttpd") else None)
PHP_FPM = shutil.which("php-fpm8.2") or (
    "/usr/sbin/php-fpm8.2" if os.path.exists("/usr/sbin/php-fpm8.2") else None)


def write_script(d, name, text, mode=0o755):
    p = os.path.join(str(d), name)
    with open(p, "w") as f:
        f.write(text)
    os.chmod(p, mode)
    return p


def cgi_server(start_server, tmp_path, scripts, *extra):
    """Writes scripts ({name: text}) into tmp_path/cgi-bin and serves them
    under /cgi-bin/ (files from tmp_path/www); returns (server, port)."""
    cgi = tmp_path / "cgi-bin"
    www = tmp_path / "www"
    cgi.mkdir(exist_ok=True)
    www.mkdir(exist_ok=True)
    for name, text in scripts.items():
        write_script(cgi, name, text)
    return serve(start_server, str(www), "--cgi", "/cgi-bin/=%s" % cgi,
                 *extra)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(proc, port, what, path=None):
    deadline = time.time() + 15
    while True:
        try:
            if path:
                c = socket.socket(socket.AF_UNIX)
                c.connect(path)
            else:
                c = socket.create_connection(("127.0.0.1", port), timeout=1)
            c.close()
            return
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("%s did not start: %s" % (
                    what, proc.stderr.read() if proc.stderr else ""))
            time.sleep(0.05)


def start_lighttpd(tmp_path, root, cgi_dir):
    """lighttpd with mod_cgi: /cgi-bin/ runs the files of cgi_dir."""
    d = tmp_path / "lighttpd"
    d.mkdir()
    port = free_port()
    conf = d / "lighttpd.conf"
    conf.write_text("""
server.document-root = "%(root)s"
server.bind = "127.0.0.1"
server.port = %(port)d
server.errorlog = "%(d)s/error.log"
server.modules = ("mod_alias", "mod_cgi")
alias.url = ("/cgi-bin/" => "%(cgi)s/")
$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ("" => "") }
""" % {"root": root, "port": port, "d": d, "cgi": cgi_dir})
    proc = subprocess.Popen([LIGHTTPD, "-D", "-f", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_port(proc, port, "lighttpd")
    return proc, port


def start_php_fpm(tmp_path, children=4, tcp=False):
    """php-fpm in the foreground on a unix socket, or on 127.0.0.1 (tcp);
    returns (proc, path) or (proc, "127.0.0.1:PORT")."""
    d = tmp_path / "fpm"
    d.mkdir()
    port = free_port() if tcp else 0
    sock = "127.0.0.1:%d" % port if tcp else d / "fpm.sock"
    conf = d / "fpm.conf"
    user = "user = root\ngroup = root\n" if os.geteuid() == 0 else ""
    conf.write_text("""[global]
pid = %(d)s/fpm.pid
error_log = %(d)s/fpm.log
daemonize = no
[www]
%(user)slisten = %(sock)s
pm = static
pm.max_children = %(n)d
catch_workers_output = yes
php_admin_value[upload_max_filesize] = 16M
php_admin_value[post_max_size] = 16M
""" % {"d": d, "sock": sock, "user": user, "n": children})
    args = [PHP_FPM, "-F", "-n", "-y", str(conf)]
    if os.geteuid() == 0:
        args.insert(1, "-R")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    wait_port(proc, port, "php-fpm", path=None if tcp else str(sock))
    return proc, str(sock)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def pid_gone(pid, timeout=10):
    """True once pid no longer runs (gone, or a zombie nobody reaped is
    not accepted: the server must reap its children)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not os.path.exists("/proc/%d" % pid):
            return True
        time.sleep(0.05)
    return False


def read_pid(path, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(path) as f:
                s = f.read().strip()
            if s:
                return int(s)
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise RuntimeError("no pid in %s" % path)
