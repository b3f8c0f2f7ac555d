#!/usr/bin/python3
"""Starts the real `stylize` app as a new user would (no arguments, empty settings) in a
real X window under Xvfb, takes two screenshots some seconds apart and checks that the
live view is neither blank nor uniform and that it moves. Saves the screenshots.

usage: app_smoke_xvfb.py STYLIZE_BINARY OUT_DIR
Exit 77 (ctest SKIP) without xvfb-run.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

W, H = 1600, 900


def grab(display, path):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "x11grab", "-video_size", f"{W}x{H}", "-i", display,
                    "-frames:v", "1", path], check=True)
    return np.asarray(Image.open(path).convert("RGB"), np.float32)


def main():
    if shutil.which("xvfb-run") is None:
        print("SKIP: xvfb-run not installed (package xvfb)")
        return 77
    binary, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    home = tempfile.mkdtemp(prefix="stylize-home-")
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               XDG_CACHE_HOME=os.path.join(home, ".cache"), XDG_RUNTIME_DIR=home)
    env.pop("QT_QPA_PLATFORM", None)
    # Xvfb with a display number of its own; the app and the grabs share it.
    display = ":%d" % (90 + os.getpid() % 100)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{W}x{H}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        env["DISPLAY"] = display
        app = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            time.sleep(float(os.environ.get("STYLIZE_SMOKE_WAIT", "20")))
            if app.poll() is not None:
                print("FAIL: the app exited early:\n" + app.stdout.read().decode(errors="replace")[-3000:])
                return 1
            first = grab(display, os.path.join(out_dir, "smoke-1.png"))
            time.sleep(5)
            second = grab(display, os.path.join(out_dir, "smoke-2.png"))
        finally:
            app.terminate()
            try:
                # SIGTERM closes the window as its close button does (the engine shuts
                # down); a cold CPU driver may first finish the shader compile it is in.
                quit_start = time.time()
                app.wait(timeout=120)
                print("the app quit %.1f s after SIGTERM" % (time.time() - quit_start))
            except subprocess.TimeoutExpired:
                app.kill()
                print("FAIL: the app did not quit within 120 s of SIGTERM")
                return 1
    finally:
        xvfb.terminate()
        xvfb.wait()
        shutil.rmtree(home, ignore_errors=True)

    # The live view is the large dark-framed area on the left; judge its centre region.
    view = (slice(int(H * 0.2), int(H * 0.75)), slice(int(W * 0.05), int(W * 0.5)))
    a, b = first[view], second[view]
    spread = float(a.std())
    moved = float(np.abs(a - b).mean())
    print(f"view std {spread:.1f} (uniform < 4), change between shots {moved:.2f} (still < 0.5)")
    ok = spread >= 4.0 and moved >= 0.5
    print("PASS" if ok else "FAIL: the live view is blank, uniform or frozen")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
