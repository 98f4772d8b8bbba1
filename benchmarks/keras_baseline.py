"""The organizers' baseline, rebuilt from its description (CONTRACT.md section 1): the reference row of
benchmarks/serve_load.py (``--app baseline``).

A Keras CNN: Conv32-Conv64-MaxPool-Dropout-Dense32-Dropout-Dense10, Adadelta, 12 epochs, batch 128, inputs
/255; served by a Tornado app that decodes with PIL, answers 400 for an image that is not 28x28 or not mode
'L', and predicts the images one by one. Keras 3 runs on the pinned torch (KERAS_BACKEND=torch).

    python benchmarks/keras_baseline.py train [--epochs 12] [-o benchmarks/results/keras_baseline.keras]
    python benchmarks/keras_baseline.py serve HOST PORT MODEL.keras
"""

from __future__ import annotations

import argparse
import io
import os
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402

DEFAULT_MODEL = Path(__file__).resolve().parent / "results" / "keras_baseline.keras"


def build_model():  # type: ignore[no-untyped-def]
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(32, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    # Keras' own MNIST example of that era: Adadelta at its then-default learning rate of 1.0.
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adadelta(1.0), metrics=["accuracy"])
    return model


def train(epochs: int, output: Path) -> None:
    import keras

    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist

    cache = cache_dir(None)
    ensure_mnist(cache, progress=True)
    x_train, y_train = load_mnist("train", cache)
    x_test, y_test = load_mnist("test", cache)
    model = build_model()
    started = time.perf_counter()
    model.fit(
        x_train[..., None] / 255.0,
        keras.utils.to_categorical(y_train, 10),
        batch_size=128,
        epochs=epochs,
        verbose=2,
    )
    seconds = time.perf_counter() - started
    _, accuracy = model.evaluate(x_test[..., None] / 255.0, keras.utils.to_categorical(y_test, 10), verbose=0)
    output.parent.mkdir(parents=True, exist_ok=True)
    model.save(output)
    print(f"{epochs} epochs in {seconds:.0f} s; MNIST test accuracy {accuracy:.4f}; wrote {output}")


def serve(host: str, port: int, model_path: Path) -> None:
    import keras
    import tornado.ioloop
    import tornado.web
    from PIL import Image

    model = keras.models.load_model(model_path)

    class Status(tornado.web.RequestHandler):
        def get(self) -> None:
            self.write({"status": "Ok"})

    class Predict(tornado.web.RequestHandler):
        def post(self) -> None:
            answers = []
            for upload in self.request.files.get("x", []):
                try:
                    image = Image.open(io.BytesIO(upload["body"]))
                    image.load()
                except Exception:
                    self.set_status(400)
                    self.write({"error": "broken image"})
                    return
                if image.size != (28, 28) or image.mode != "L":
                    self.set_status(400)
                    self.write({"error": "expected a 28x28 grayscale image"})
                    return
                pixels = np.asarray(image, dtype=np.float32).reshape(1, 28, 28, 1) / 255.0
                answers.append(int(model.predict(pixels, verbose=0).argmax()))
            self.write({"y": answers})

    class Exit(tornado.web.RequestHandler):
        def get(self) -> None:
            self.write({"exit": "Ok"})
            self.finish()
            tornado.ioloop.IOLoop.current().stop()

    app = tornado.web.Application([(r"/status", Status), (r"/predict", Predict), (r"/exit", Exit)])
    app.listen(port, address=host)
    print(f"baseline listening on {host}:{port}", flush=True)
    tornado.ioloop.IOLoop.current().start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    trainer = sub.add_parser("train", help="train the baseline CNN on MNIST and save it")
    trainer.add_argument("--epochs", type=int, default=12, help="the organizers trained 12")
    trainer.add_argument("-o", "--output", type=Path, default=DEFAULT_MODEL)
    server = sub.add_parser("serve", help="serve a trained baseline with Tornado, one image at a time")
    server.add_argument("host")
    server.add_argument("port", type=int)
    server.add_argument("model", type=Path, nargs="?", default=DEFAULT_MODEL)
    args = parser.parse_args()
    if args.command == "train":
        train(args.epochs, args.output)
    else:
        serve(args.host, args.port, args.model)


if __name__ == "__main__":
    main()
