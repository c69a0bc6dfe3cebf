"""Something to try every input of analyze_image with, for `scripts/develop`.

Writes into the development config folder:
- sample camera-like pictures (drawn here, no downloads) under www/ (served at
  /local/ and usable as a local file) and in the media folder (My media,
  config/media);
- a short clip (drawn here and encoded with PyAV) in both places: a visitor
  walks up to the front door, for the video fields;
- packages/ollama_vision_demo.yaml: two template image entities that show two
  of those pictures, so `image_entity` has something to take a picture from;
- the repository's blueprint, into blueprints/automation/ollama_vision/, where
  an import from GitHub would put it.

Prints, one per line, what to put in an action call; scripts/develop shows
those lines in its banner. Run from the repository, after the preparation
(scripts/develop --prepare): .venv/bin/python -m scripts.demo config --port 8123
"""

import argparse
from pathlib import Path
import random
import shutil

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from homeassistant.util.yaml import load_yaml_dict
from tests.clips_factory import encode_clip

REPO = Path(__file__).resolve().parents[1]
BLUEPRINTS = Path("blueprints") / "automation" / "ollama_vision"
FOLDER = "ollama_vision_demo"
VIDEO = "visitor_walks_up.mp4"
# Where configuration.yaml finds `media_dirs` (tests/e2e/ha_config_dir.py writes it).
MEDIA_DIRS_FILE = "media_dirs.yaml"
WIDTH, HEIGHT = 1280, 720
Colour = tuple[int, int, int]


def _scene(
    seed: int, sky: Colour, ground: Colour, thing: Colour, shape: str
) -> Image.Image:
    """A plain camera-like view: sky, ground and one object, with sensor noise."""
    rng = random.Random(seed)
    image = Image.new("RGB", (WIDTH, HEIGHT), sky)
    draw = ImageDraw.Draw(image)
    horizon = HEIGHT * 2 // 5
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=ground)
    cx, base = WIDTH // 2, HEIGHT * 5 // 6
    if shape == "door":
        draw.rectangle((cx - 330, 60, cx + 330, base), fill=(205, 200, 190))  # wall
        draw.rectangle((cx - 120, 170, cx + 120, base), fill=thing)
        draw.ellipse((cx + 70, 440, cx + 95, 465), fill=(230, 200, 90))
    elif shape == "parcel":
        draw.polygon(
            [
                (cx - 220, base),
                (cx + 180, base),
                (cx + 260, base - 70),
                (cx - 140, base - 70),
            ],
            fill=tuple(c // 2 for c in thing),
        )
        draw.rectangle((cx - 220, base - 300, cx + 180, base), fill=thing)
        draw.rectangle(
            (cx - 30, base - 300, cx + 10, base), fill=(225, 215, 170)
        )  # tape
    elif shape == "visitor":
        draw.ellipse((cx - 60, 170, cx + 60, 290), fill=(225, 185, 150))  # head
        draw.rounded_rectangle((cx - 130, 290, cx + 130, base), radius=60, fill=thing)
    else:  # a yard: a tree and a fence
        draw.rectangle((cx + 250, 200, cx + 290, base), fill=(110, 75, 40))
        draw.ellipse((cx + 130, 60, cx + 410, 320), fill=thing)
        for x in range(0, WIDTH, 70):
            draw.rectangle(
                (x, horizon + 40, x + 40, horizon + 200), fill=(190, 170, 130)
            )
    noise = Image.effect_noise((WIDTH, HEIGHT), 18).convert("RGB")
    image = Image.blend(image, noise, 0.06).filter(ImageFilter.GaussianBlur(0.6))
    draw = ImageDraw.Draw(image)
    draw.text((24, 20), f"DEMO CAM {rng.randint(1, 9)}", fill=(255, 255, 255))
    return image


# seed, sky, ground, object, kind. Each picture has its own main colour, so
# the emulator (which names the main colour) tells them apart too.
SAMPLES = {
    "front_door.jpg": (1, (150, 40, 35), (120, 35, 30), (90, 55, 30), "door"),
    "back_yard.jpg": (2, (160, 200, 235), (60, 140, 60), (40, 110, 45), "yard"),
    "parcel.jpg": (3, (185, 150, 95), (150, 115, 70), (175, 130, 80), "parcel"),
    "visitor.jpg": (4, (70, 110, 200), (60, 80, 160), (40, 60, 150), "visitor"),
}


def _package(port: int) -> str:
    """Template image entities that show two samples, fetched from /local/."""
    lines = [
        "# Written by scripts/demo.py for scripts/develop: two demo image entities.",
        "template:",
        "  - image:",
    ]
    for name in ("front_door", "back_yard"):
        title = name.replace("_", " ").title()
        lines += [
            f"      - name: Demo {title}",
            f"        unique_id: ollama_vision_demo_{name}",
            f'        url: "http://127.0.0.1:{port}/local/{FOLDER}/{name}.jpg"',
        ]
    return "\n".join(lines) + "\n"


def media_dir(config_dir: Path) -> Path:
    """The folder Home Assistant's media browser shows as My media.

    configuration.yaml's `media_dirs` says which: the file it includes, which
    scripts/develop's preparation writes (tests/e2e/ha_config_dir.py) before this runs.
    """
    media_dirs = load_yaml_dict(config_dir / MEDIA_DIRS_FILE)
    return Path(str(media_dirs["local"]))


def _write_samples(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (seed, sky, ground, thing, shape) in SAMPLES.items():
        if not (folder / name).exists():
            _scene(seed, sky, ground, thing, shape).save(folder / name, quality=90)


# The clip: 8 s at 10 frames a second, 640x360; the front door, empty for 2 s,
# then a visitor in blue who walks up to it by 5 s and waits there.
CLIP_SIZE = (640, 360)
CLIP_FPS = 10
CLIP_SECONDS = 8
_WALK = (2.0, 5.0)


def _clip_frames() -> list[np.ndarray]:
    """The clip's pictures, as RGB arrays."""
    seed, sky, ground, thing, shape = SAMPLES["front_door.jpg"]
    door = _scene(seed, sky, ground, thing, shape).resize(CLIP_SIZE)
    width, height = CLIP_SIZE
    start, end = _WALK
    frames = []
    for index in range(CLIP_SECONDS * CLIP_FPS):
        moment = index / CLIP_FPS
        picture = door.copy()
        if moment >= start:
            walked = min((moment - start) / (end - start), 1.0)
            x = round(-60 + walked * (width / 2 + 60))
            draw = ImageDraw.Draw(picture)
            draw.ellipse((x - 28, 90, x + 28, 146), fill=(225, 185, 150))  # head
            draw.rounded_rectangle(
                (x - 60, 146, x + 60, height - 40), radius=30, fill=(40, 60, 150)
            )
        frames.append(np.asarray(picture, dtype=np.uint8))
    return frames


def _write_video(folders: list[Path]) -> None:
    """The clip into each folder (encoded once, only where it is missing)."""
    missing = [folder / VIDEO for folder in folders if not (folder / VIDEO).exists()]
    if not missing:
        return
    clip = encode_clip(_clip_frames(), fps=CLIP_FPS)
    for path in missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(clip)


def install_blueprints(config_dir: Path) -> list[Path]:
    """The repository's blueprints where Home Assistant looks for imported
    ones; a changed one is copied again. Returns where they are."""
    target = config_dir / BLUEPRINTS
    target.mkdir(parents=True, exist_ok=True)
    installed = []
    for source in sorted((REPO / BLUEPRINTS).glob("*.yaml")):
        copy = target / source.name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)
        installed.append(copy)
    return installed


def write_demo(config_dir: Path, port: int) -> list[str]:
    """Write the samples and the package; return the lines that say how to use them."""
    _write_samples(config_dir / "www" / FOLDER)
    packages = config_dir / "packages"
    packages.mkdir(exist_ok=True)
    (packages / "ollama_vision_demo.yaml").write_text(_package(port), encoding="utf-8")
    lines = [
        "Image entity: image.demo_front_door, image.demo_back_yard",
        f"Image URL: www/{FOLDER}/parcel.jpg (a file), or",
        f"  http://127.0.0.1:{port}/local/{FOLDER}/visitor.jpg",
    ]
    media = media_dir(config_dir) / FOLDER
    _write_samples(media)
    _write_video([config_dir / "www" / FOLDER, media])
    install_blueprints(config_dir)
    return [
        *lines,
        f"Media: My media > {FOLDER} > visitor.jpg",
        f"Video: www/{FOLDER}/{VIDEO} (a file), or",
        f"  media-source://media_source/local/{FOLDER}/{VIDEO}",
        "Blueprint: Settings > Automations & scenes > Blueprints >",
        "  Describe camera events and notify (camera: an image entity above)",
    ]


def main() -> None:
    """Command line: write the demo into a config folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config_dir", type=Path)
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    for line in write_demo(args.config_dir.resolve(), args.port):
        print(line)


if __name__ == "__main__":
    main()
