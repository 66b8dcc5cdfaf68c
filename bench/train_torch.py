#!/usr/bin/python3
"""PyTorch peer of bench/train.ts: the same MLPs, data, batch size, optimizer and timing rules.

Run by bench/train.ts under Debian's /usr/bin/python3 (apt-get install -y python3-torch libopenblas0-pthread);
it prints one JSON object per network on stdout.

    /usr/bin/python3 bench/train_torch.py --threads 2 --device cpu --cases '[{"name": "784-128-10", ...}]'

Timing matches the engine's samplesPerSecond: only the training steps are timed (forward, loss, backward,
SGD update, and reading the loss and the number of correct predictions back, as the engine does each batch);
the epoch's shuffle happens before the clock starts and batches are slices of the shuffled tensors.
"""
import argparse
import json
import os
import sys
import time

import torch


def build(case, device):
    sizes = [case["inputSize"], *case["hidden"], case["classes"]]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).to(device)


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def train_epoch(model, optimizer, loss_fn, xs, ys, batch):
    """One pass over already shuffled tensors, reading loss and correct count back each batch as the engine does."""
    loss_sum = 0.0
    correct = 0
    for s in range(0, xs.shape[0], batch):
        xb, yb = xs[s:s + batch], ys[s:s + batch]
        optimizer.zero_grad(set_to_none=True)
        logits = model(xb)
        loss = loss_fn(logits, yb)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * xb.shape[0]
        correct += int((logits.argmax(1) == yb).sum().item())
    return loss_sum, correct


def run(case, device, batch, lr, seed):
    torch.manual_seed(seed)
    n, d, k = case["samples"], case["inputSize"], case["classes"]
    # Random bytes scaled to [0, 1] and balanced labels, as the JS side: throughput does not depend on content.
    pixels = torch.randint(0, 256, (n, d), dtype=torch.uint8)
    x = (pixels.to(torch.float32) / 255).to(device)
    y = (torch.arange(n) % k).to(device)
    model = build(case, device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    rates = []
    for _ in range(case["epochs"]):
        order = torch.randperm(n, device=device)
        xs, ys = x[order], y[order]
        synchronize(device)
        start = time.perf_counter()
        train_epoch(model, optimizer, loss_fn, xs, ys, batch)
        synchronize(device)
        rates.append(n / (time.perf_counter() - start))
    return rates


def end_to_end(spec, device, batch, lr):
    """bench:system's peer: data loaded from disk, then epochs of training, validation and a checkpoint saved
    (written, fsynced, renamed into place) after each, all on one clock, as a Trainyard run is timed from
    RUNNING to SUCCEEDED."""
    import numpy as np

    started = time.perf_counter()
    n_train, n_val, d = spec["train"], spec["validation"], spec["inputSize"]
    pixels = np.fromfile(spec["pixels"], dtype=np.uint8, count=(n_train + n_val) * d).reshape(-1, d)
    labels = np.fromfile(spec["labels"], dtype="<i4", count=n_train + n_val)
    x = (torch.from_numpy(pixels).to(torch.float32) / 255).to(device)
    y = torch.from_numpy(labels.astype(np.int64)).to(device)
    x_train, y_train, x_val, y_val = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    torch.manual_seed(1)
    model = build({"inputSize": d, "hidden": spec["hidden"], "classes": spec["classes"]}, device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    load_seconds = time.perf_counter() - started
    epochs = []
    for epoch in range(spec["epochs"]):
        t0 = time.perf_counter()
        order = torch.randperm(n_train, device=device)
        xs, ys = x_train[order], y_train[order]
        train_epoch(model, optimizer, loss_fn, xs, ys, batch)
        t1 = time.perf_counter()
        with torch.no_grad():
            val_loss, correct = 0.0, 0
            for s in range(0, n_val, batch):
                logits = model(x_val[s:s + batch])
                val_loss += loss_fn(logits, y_val[s:s + batch]).item() * logits.shape[0]
                correct += int((logits.argmax(1) == y_val[s:s + batch]).sum().item())
        t2 = time.perf_counter()
        path = os.path.join(spec["checkpointDir"], "checkpoint.pt")
        with open(path + ".tmp", "wb") as f:
            torch.save({"epoch": epoch + 1, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(path + ".tmp", path)
        t3 = time.perf_counter()
        epochs.append({"batches": t1 - t0, "validation": t2 - t1, "checkpoint": t3 - t2})
    total = time.perf_counter() - started
    return {"seconds": total, "loadSeconds": load_seconds, "samplesPerSecond": n_train * spec["epochs"] / total, "epochs": epochs}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--device", default="cpu", help="cpu, cuda, or auto (cuda when available)")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--cases", help="JSON list of {name, inputSize, hidden, classes, samples, epochs}")
    parser.add_argument("--end-to-end", help="JSON {pixels, labels, train, validation, inputSize, hidden, classes, epochs, checkpointDir}: bench:system's peer")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    wanted = args.device
    if wanted == "auto":
        wanted = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(wanted)
    if device.type == "cuda":
        name = f"{torch.cuda.get_device_name(0)} (CUDA)"
    else:
        name = f"cpu ({torch.get_num_threads()} threads)"
    if args.end_to_end:
        result = end_to_end(json.loads(args.end_to_end), device, args.batch, args.lr)
        print(json.dumps({"device": name, "torch": torch.__version__, **result}), flush=True)
        return 0
    for case in json.loads(args.cases):
        rates = run(case, device, args.batch, args.lr, seed=1)
        print(json.dumps({"name": case["name"], "device": name, "torch": torch.__version__, "rates": rates}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
