"""OpenCV peer for bench/preprocess.ts: imread -> cvtColor gray -> resize INTER_AREA -> /255 float32.

Run by Debian's /usr/bin/python3 (python3-opencv). Usage:
  preprocess_opencv.py LIST_FILE WIDTH HEIGHT ROUNDS OUT_FILE
LIST_FILE holds one image path per line. Prints one JSON line per round ({"imagesPerSecond", "cpuMsPerImage"}: all threads);
OUT_FILE receives the activations of every image, in list order, as raw little-endian float32.
"""
import json
import sys
import time

import cv2
import numpy as np


def activations(path, width, height):
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit(f"cannot read {path}")
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(gray, (width, height), interpolation=cv2.INTER_AREA)
    return small.astype(np.float32) / 255


def main():
    list_file, width, height, rounds, out_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    with open(list_file) as f:
        paths = [line.strip() for line in f if line.strip()]
    for path in paths[:50]:
        activations(path, width, height)  # warm-up: page cache, OpenCV's lazy initialisation
    result = None
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        result = [activations(path, width, height) for path in paths]
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        print(json.dumps({"imagesPerSecond": len(paths) / seconds, "cpuMsPerImage": cpu_seconds * 1000 / len(paths)}), flush=True)
    np.concatenate([a.reshape(-1) for a in result]).astype("<f4").tofile(out_file)
    print(json.dumps({"opencv": cv2.__version__, "threads": cv2.getNumThreads()}), flush=True)


if __name__ == "__main__":
    main()
