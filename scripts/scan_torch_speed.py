#!/usr/bin/python3
"""PyTorch's side of the example scan's throughput (issue 16): images per second of a plain forward pass of the same
network at the same image size and thread count, to run alternating with `./submit.sh bench scan`.

  /usr/bin/python3 scripts/scan_torch_speed.py --model fashion_mnist_cnn            # the trained model, 28x28
  /usr/bin/python3 scripts/scan_torch_speed.py --model resnet50 --size 224
  /usr/bin/python3 scripts/scan_torch_speed.py --model resnet50 --export-onnx /tmp/resnet50.onnx   # and exit

fashion_mnist_cnn runs with the weights of src/test/resources/models/fashion_mnist_cnn.onnx; resnet50 is
torchvision's architecture with random init (seed 0): speed does not depend on the weights. --export-onnx writes that
ResNet-50 as ONNX (opset 13, eval mode: BatchNorm folded into the convolutions, free height and width), about 100 MB:
write it outside the repository. Pixels are uint8 values as floats; the model's preprocessing (x/255 or torchvision's
mean/std) is part of the timed pass, as it is in ours. Forward only, under torch.inference_mode(), batch sizes as
asked; one warm-up pass, then passes for --seconds: the median pass (images_per_s), the passes' mean
(images_per_wall_s), and the process's CPU seconds per pass (on a
shared machine, what the work costs; with 2 threads it also counts OpenMP's waiting).
Prints one line per batch size:
  torch-scan: model=resnet50 size=224 threads=2 batch=8 median_ms_per_pass=... images_per_s=... peak_rss_mb=...
"""
import argparse
import os
import resource
import statistics
import sys
import time

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'models')
TORCH_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
TORCH_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def resnet50():
    torch.manual_seed(0)
    return torchvision.models.resnet50().eval()


def network(name):
    """(module, input channels, default size, preprocessing of pixels 0..255)"""
    if name == 'fashion_mnist_cnn':
        import train_fashion_mnist
        return train_fashion_mnist.load_from_onnx(os.path.join(MODELS, 'fashion_mnist_cnn.onnx')), 1, 28, lambda x: x / 255
    if name == 'resnet50':
        return resnet50(), 3, 224, lambda x: (x / 255 - TORCH_MEAN) / TORCH_STD
    raise SystemExit('--model fashion_mnist_cnn or resnet50')


def measure(args, batch, threads, barrier=None):
    """One process's passes of `batch` images on `threads` threads: one warm-up pass (then, with several processes,
    a barrier so that all time at once), then passes for --seconds. Returns (pass times, CPU seconds, wall seconds,
    peak RSS MB)."""
    torch.set_num_threads(threads)
    model, channels, size, preprocess = network(args.model)
    size = args.size or size
    if args.mkldnn:
        from torch.utils import mkldnn
        model = mkldnn.to_mkldnn(model)
    pixels = torch.randint(0, 256, (batch, channels, size, size)).float()

    def run():
        with torch.inference_mode():
            x = preprocess(pixels)
            model(x.to_mkldnn() if args.mkldnn else x)

    run()
    if barrier is not None:
        barrier.wait()
    begin = time.perf_counter()
    times, end, cpu = [], begin + args.seconds, time.process_time()
    while len(times) < 3 or time.perf_counter() < end:
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return times, time.process_time() - cpu, time.perf_counter() - begin, peak


def _worker(args, batch, threads, barrier, queue):
    queue.put(measure(args, batch, threads, barrier))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--model', default='fashion_mnist_cnn')
    parser.add_argument('--size', type=int, help='square image size (default: the network\'s, 28 or 224)')
    parser.add_argument('--batch', default='1,4,8,16', help='batch sizes to time, comma separated')
    parser.add_argument('--threads', type=int, default=2, help='threads in all (split evenly over --procs)')
    parser.add_argument('--procs', type=int, default=1,
                        help='processes timing at once, each with threads/procs threads and its own copy of the '
                             'model (--procs 2 --threads 2: two one-thread processes, as our scan runs two one-core '
                             'Spark tasks); images/s is their sum')
    parser.add_argument('--seconds', type=float, default=8)
    parser.add_argument('--export-onnx', metavar='PATH', help='write the resnet50 as ONNX and exit')
    parser.add_argument('--mkldnn', action='store_true',
                        help='run the module converted by torch.utils.mkldnn.to_mkldnn on mkldnn tensors: every '
                             'convolution on oneDNN (PyTorch 1.13 sends 1x1 convolutions of batches under 16 to its '
                             'im2col path, which runs on the system BLAS: Debian\'s reference BLAS here)')
    args = parser.parse_args()
    if args.export_onnx:
        torch.onnx.export(resnet50(), torch.zeros(1, 3, 224, 224), args.export_onnx, opset_version=13,
                          input_names=['input'], output_names=['logits'],
                          dynamic_axes={'input': {2: 'height', 3: 'width'}})
        print('wrote', args.export_onnx, os.path.getsize(args.export_onnx), 'bytes')
        return
    if args.threads % args.procs:
        raise SystemExit('--threads must be a multiple of --procs')
    size = args.size or network_size(args.model)
    for batch in [int(b) for b in args.batch.split(',')]:
        if args.procs == 1:
            results = [measure(args, batch, args.threads)]
        else:
            import multiprocessing
            ctx = multiprocessing.get_context('spawn')  # fresh interpreters: no OpenMP state forked
            barrier, queue = ctx.Barrier(args.procs), ctx.Queue()
            workers = [ctx.Process(target=_worker, args=(args, batch, args.threads // args.procs, barrier, queue))
                       for _ in range(args.procs)]
            for w in workers:
                w.start()
            results = [queue.get() for _ in workers]
            for w in workers:
                w.join()
        times = [t for r in results for t in r[0]]
        median = statistics.median(times)
        cpu_per_pass = sum(r[1] for r in results) / len(times)
        wall = max(r[2] for r in results)
        peak = max(r[3] for r in results)
        print(f'torch-scan: model={args.model} size={size} threads={args.threads} procs={args.procs} batch={batch} '
              f'mkldnn={int(args.mkldnn)} median_ms_per_pass={median * 1000:.2f} '
              f'images_per_s={args.procs * batch / median:.1f} images_per_cpu_s={batch / cpu_per_pass:.1f} '
              f'images_per_wall_s={len(times) * batch / wall:.1f} peak_rss_mb={peak}', flush=True)


def network_size(name):
    return 28 if name == 'fashion_mnist_cnn' else 224


if __name__ == '__main__':
    main()
