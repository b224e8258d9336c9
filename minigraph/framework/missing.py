"""The AttributeError every tf.* namespace raises for a TF name minigraph does not have.

Lives here: `namespace_getattr(namespace)`, which returns the module-level `__getattr__` each
namespace installs, and the table of TF names whose minigraph replacement has another spelling.
The message says the name is missing, names the replacement when there is one and points to
docs/tf1_compat.md, instead of Python's generic "Did you mean".
"""

from __future__ import annotations

DOC = "docs/tf1_compat.md"

# TF names (mostly TF2 spellings that TF1 programs meet) -> the minigraph spelling to use.
REPLACEMENTS = {
    "random.set_seed": "tf.set_random_seed",
    "random.random_uniform": "tf.random.uniform (or tf.random_uniform)",
    "random.random_normal": "tf.random.normal (or tf.random_normal)",
    "set_seed": "tf.set_random_seed",
    "keras.layers.Dense": "tf.layers.Dense",
    "keras.layers.Dropout": "tf.layers.Dropout",
    "keras.layers.Flatten": "tf.layers.Flatten",
    "keras.layers.BatchNormalization": "tf.layers.BatchNormalization",
    "keras.layers.Conv2D": "tf.layers.Conv2D",
    "keras.layers.MaxPooling2D": "tf.layers.MaxPooling2D",
    "keras.layers.MaxPool2D": "tf.layers.MaxPooling2D",
    "keras.metrics.AUC": "tf.metrics.auc",
    "keras.metrics.Accuracy": "tf.metrics.accuracy",
    "math.divide_no_nan": "tf.where(tf.equal(y, 0.), tf.zeros_like(x), x / y)",
    "keras.initializers.glorot_uniform": "tf.glorot_uniform_initializer",
    "keras.optimizers.Adam": "tf.train.AdamOptimizer",
    "keras.optimizers.SGD": "tf.train.GradientDescentOptimizer",
    "keras.losses.MSE": "tf.losses.mean_squared_error",
    "optimizers.Adam": "tf.train.AdamOptimizer",
    "io.gfile.GFile": "Python's open()",
    "gfile.GFile": "Python's open()",
    "gfile.Open": "Python's open()",
    "gfile.Exists": "os.path.exists",
    "gfile.MakeDirs": "os.makedirs(path, exist_ok=True)",
    "app.run": "a plain `if __name__ == '__main__': main()`",
    "function": "an ordinary Python function that builds graph ops",
    "GradientTape": "tf.gradients(ys, xs)",
    "experimental.numpy": "numpy on the values returned by Session.run",
    "compat.v2": "tf (minigraph is TF1 only: tf.compat.v1 is tf itself)",
    "contrib.slim": "tf.layers and tf.contrib.layers",
}

# TF names with a remark instead of a replacement.
NOTES: dict = {}


class MissingNameError(AttributeError):
    """AttributeError for a TF name minigraph lacks; its message replaces "Did you mean".

    Python fills `name` and `obj` of an AttributeError raised by a module `__getattr__` and
    then appends a spelling suggestion (a close minigraph name, rarely the TF replacement).
    These two properties keep both empty, so the message above is the whole story.
    """

    name = property(lambda self: None, lambda self, value: None)
    obj = property(lambda self: None, lambda self, value: None)


def missing_message(qualified: str, note: str = "") -> str:
    """The message for `tf.<qualified>`, which minigraph lacks (`note`: about its namespace)."""
    replacement = REPLACEMENTS.get(qualified)
    hint = f" Use {replacement} instead." if replacement else ""
    hint += f" {NOTES[qualified]}" if qualified in NOTES else f" {note}" if note else ""
    return (f"minigraph has no tf.{qualified}: this TF name is not provided.{hint} "
            f"See {DOC} for the TF1 names minigraph provides and the ones it does not.")


def namespace_getattr(namespace: str, note: str = ""):
    """Return a module `__getattr__` for `tf.<namespace>` ("" for `tf` itself)."""
    prefix = f"{namespace}." if namespace else ""

    def __getattr__(name: str):
        if name.startswith("__") and name.endswith("__"):
            # Python and tools probe dunders (__path__, __wrapped__): the plain error.
            raise AttributeError(f"module 'minigraph{'.' + namespace if namespace else ''}' "
                                 f"has no attribute {name!r}")
        raise MissingNameError(missing_message(prefix + name, note))

    return __getattr__
