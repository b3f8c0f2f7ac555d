#!/usr/bin/python3
"""Takes the README's screenshots from the real app under Xvfb, as a new user sees it
(empty settings, bundled sample clip and styles): the live view, a blend of two styles
picked in the gallery, the Export dialog, and the tenth style picked with its key (0), the
gallery scrolled to it: tenth.png. Drives the window with xdotool.
With --pictures, a second start whose settings hold Magenta's arbitrary-style model and
pictures added as styles (as "Add picture as style..." leaves them), the first one
painting: pictures.png.

usage: readme_shots.py STYLIZE_BINARY OUT_DIR [--pictures MAGENTA_DIR PICTURE...]
       (needs xvfb, xdotool, ffmpeg; SHOTS_WAIT: seconds for the cold start [60],
       SHOTS_BLEND_WAIT: seconds between the blend's second style and its shot [SHOTS_WAIT / 2],
       SHOTS_TENTH_WAIT: seconds between key 0 and the tenth style's shot [SHOTS_WAIT / 2])
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

W, H = 1440, 860


def run(*cmd, env=None):
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout


def grab(env, path, geometry):
    x, y, w, h = geometry
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "x11grab", "-video_size", f"{w}x{h}",
                    "-i", f"{env['DISPLAY']}+{x},{y}", "-frames:v", "1", path], check=True)
    print("wrote", path)


def window_geometry(env, name, timeout=20):
    """The geometry of the first visible window whose title contains `name`."""
    deadline = time.time() + timeout
    while True:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name], env=env,
                               capture_output=True, text=True).stdout.split()
        if found:
            break
        if time.time() > deadline:
            raise RuntimeError(f"no window titled '{name}' appeared within {timeout} s")
        time.sleep(0.5)
    wid = found[0]
    out = run("xdotool", "getwindowgeometry", "--shell", wid, env=env)
    g = dict(line.split("=") for line in out.split())
    return wid, (int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"]))


def main():
    for tool in ("Xvfb", "xdotool", "ffmpeg"):
        if shutil.which(tool) is None:
            sys.exit(f"error: {tool} is not installed (apt-get install xvfb xdotool ffmpeg)")
    binary, out = sys.argv[1], sys.argv[2]
    pictures = []
    if len(sys.argv) > 3:
        if sys.argv[3] != "--pictures" or len(sys.argv) < 6:
            sys.exit(__doc__)
        pictures = [os.path.abspath(p) for p in sys.argv[4:]]
    os.makedirs(out, exist_ok=True)
    home = tempfile.mkdtemp(prefix="stylize-shots-")
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config", XDG_CACHE_HOME=f"{home}/.cache",
               XDG_RUNTIME_DIR=home, DISPLAY=":%d" % (150 + os.getpid() % 100))
    env.pop("QT_QPA_PLATFORM", None)
    xvfb = subprocess.Popen(["Xvfb", env["DISPLAY"], "-screen", "0", f"{W}x{H}x24", "-nolisten", "tcp"])
    app = None
    try:
        time.sleep(1.5)
        app = subprocess.Popen([binary], env=env)
        # Long enough for a cold start on lavapipe: pipeline compiles, gallery previews,
        # the automatic brush size settling.
        wait = float(os.environ.get("SHOTS_WAIT", "60"))
        time.sleep(wait)
        wid, geo = window_geometry(env, "Stylize")
        run("xdotool", "windowsize", wid, str(W), str(H), env=env)
        run("xdotool", "windowmove", wid, "0", "0", env=env)
        time.sleep(4)
        wid, geo = window_geometry(env, "Stylize")
        grab(env, f"{out}/live.png", geo)
        # Ctrl+2 adds the second style to the blend (as clicking its card does).
        run("xdotool", "windowfocus", "--sync", wid, "key", "ctrl+2", env=env)
        # The sample clip loops through four scenes in 12 s; SHOTS_BLEND_WAIT shifts which
        # one the blend shot lands on (the night launch tower is a poor picture of a blend).
        time.sleep(float(os.environ.get("SHOTS_BLEND_WAIT", wait / 2)))
        grab(env, f"{out}/blend.png", geo)
        # Ctrl+E: the Export dialog opens over the window.
        run("xdotool", "windowfocus", "--sync", wid, "key", "ctrl+e", env=env)
        time.sleep(3)
        did, dgeo = window_geometry(env, "Export stylized video")
        grab(env, f"{out}/export.png", dgeo)
        # Esc closes the dialog; 0 picks the tenth style alone and scrolls the gallery to it.
        run("xdotool", "windowfocus", "--sync", did, "key", "Escape", env=env)
        time.sleep(2)
        run("xdotool", "windowfocus", "--sync", wid, "key", "0", env=env)
        time.sleep(float(os.environ.get("SHOTS_TENTH_WAIT", wait / 2)))
        grab(env, f"{out}/tenth.png", geo)
        if pictures:
            app.terminate()
            app.wait(timeout=30)
            magenta, shown = pictures[0], pictures[1:]
            conf = f"{env['XDG_CONFIG_HOME']}/Stylize/Stylize.conf"
            with open(conf, "a") as f:  # what importing the model and adding pictures leaves
                f.write("\n[models]\nimported=%s\n[styles]\npictures=%s\n" % (magenta, ", ".join(shown)))
            subprocess.run(["sed", "-i", "/^styles=/d;/^weights=/d;/^brushPercent=/d", conf], check=True)
            with open(conf, "a") as f:
                # The whole frame as the brush: the picture's strokes, at the fps lavapipe manages.
                # No weights line: a plain "50" reads back as a two-item list whose first is 0 (the
                # app writes one weight as a @Variant); a missing one is the default 50.
                f.write("[blend]\nstyles=picture:%s\nbrushPercent=100\n" % shown[0])
            app = subprocess.Popen([binary], env=env)
            time.sleep(wait * 1.5)
            wid, geo = window_geometry(env, "Stylize")
            run("xdotool", "windowsize", wid, str(W), str(H), env=env)
            run("xdotool", "windowmove", wid, "0", "0", env=env)
            time.sleep(wait / 2)
            wid, geo = window_geometry(env, "Stylize")
            grab(env, f"{out}/pictures.png", geo)
    finally:
        if app:
            app.terminate()
            app.wait(timeout=30)
        xvfb.terminate()
        xvfb.wait()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
