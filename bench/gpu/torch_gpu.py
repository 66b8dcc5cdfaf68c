"""PyTorch peer of bench/gpu/bench.ts: the same network, bytes, labels, batch and SGD, on CUDA when available.

    python3 bench/gpu/torch_gpu.py '{"sizes": [784, 128, 10], "batch": 256, "samples": 2048, "epochs": 3,
                                     "lr": 0.05, "data": "/tmp/x/data", "matmul": [256, 1024, 1024]}'

Reads DATA.u8 (samples × inputs bytes) and DATA.labels (int32), prints one JSON line. fp32 throughout:
TF32 is switched off. Only the training steps are timed; the loss and correct count stay on the device and
are read back every 32 batches, as the engine does.
"""
import json
import sys
import time

import numpy as np
import torch

READ_EVERY = 32


def main():
    spec = json.loads(sys.argv[1])
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    sizes, batch, n = spec["sizes"], spec["batch"], spec["samples"]
    pixels = np.fromfile(spec["data"] + ".u8", dtype=np.uint8).reshape(n, sizes[0])
    labels = np.fromfile(spec["data"] + ".labels", dtype=np.int32)
    x = (torch.from_numpy(pixels).to(torch.float32) / 255).to(device)
    y = torch.from_numpy(labels).to(torch.int64).to(device)
    torch.manual_seed(1)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=spec["lr"])
    loss_fn = torch.nn.CrossEntropyLoss()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    rates, losses, accuracies = [], [], []
    for _ in range(spec["epochs"]):
        order = torch.randperm(n, device=device)
        xs, ys = x[order], y[order]
        sync()
        start = time.perf_counter()
        loss_sum, correct, pending_loss, pending_correct = 0.0, 0, [], []
        for b, s in enumerate(range(0, n, batch)):
            xb, yb = xs[s:s + batch], ys[s:s + batch]
            optimizer.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            pending_loss.append(loss.detach() * xb.shape[0])
            pending_correct.append((logits.argmax(1) == yb).sum())
            if len(pending_loss) == READ_EVERY or s + batch >= n:
                loss_sum += float(torch.stack(pending_loss).sum().item())
                correct += int(torch.stack(pending_correct).sum().item())
                pending_loss, pending_correct = [], []
        sync()
        rates.append(n / (time.perf_counter() - start))
        losses.append(loss_sum / n)
        accuracies.append(correct / n)

    m, k, p = spec["matmul"]
    a = torch.rand(m, k, device=device)
    bm = torch.rand(k, p, device=device)
    (a @ bm).sum().item()
    reps = 3
    sync()
    start = time.perf_counter()
    for _ in range(reps):
        c = a @ bm
    sync()
    matmul_gflops = 2 * m * k * p * reps / (time.perf_counter() - start) / 1e9
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu (%d threads)" % torch.get_num_threads()
    versions = "torch %s" % torch.__version__ + (", CUDA %s" % torch.version.cuda if device.type == "cuda" else "")
    print(json.dumps({"rates": rates, "losses": losses, "accuracies": accuracies, "device": name, "versions": versions, "matmulGflops": matmul_gflops}))


if __name__ == "__main__":
    main()
