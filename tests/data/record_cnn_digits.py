"""Measure TensorFlow 1.x's test accuracy on examples/train_cnn_digits.py (run by hand).

Usage (the TF venv needs no scikit-learn: the digits are passed as an .npz made with it):
  python -c "from sklearn.datasets import load_digits as l; import numpy as n; d = l(); \
n.savez('/tmp/digits.npz', images=d.data, labels=d.target)"
  TF_USE_LEGACY_KERAS=1 /path/to/tf-venv/bin/python tests/data/record_cnn_digits.py /tmp/digits.npz
Runs the unchanged example with `--backend tensorflow` for seeds 0, 1, 2 and writes
tests/data/cnn_digits_tf.json (tests/test_examples.py compares minigraph's accuracy with it).
"""

import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = pathlib.Path(__file__).with_name("cnn_digits_tf.json")


def main(data: str) -> None:
    accuracies = {}
    for seed in (0, 1, 2):
        proc = subprocess.run([sys.executable, str(ROOT / "examples" / "train_cnn_digits.py"),
                               "--backend", "tensorflow", "--data", data, "--seed", str(seed)],
                              capture_output=True, text=True, check=True)
        accuracies[seed] = float(re.search(r"test accuracy: ([\d.]+)", proc.stdout).group(1))
        print(seed, accuracies[seed])
    import tensorflow as tf

    OUT.write_text(json.dumps({"tf_version": tf.__version__, "epochs": 12,
                               "test_accuracy_by_seed": accuracies}, indent=1))
    print("wrote", OUT)


if __name__ == "__main__":
    main(sys.argv[1])
