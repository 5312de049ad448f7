package io.filterviz.testing;

import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.Binary;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.ConstantBinary;
import io.filterviz.model.graph.ConstantConcat;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Gather;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.LayerNorm;
import io.filterviz.model.graph.MatMul;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.ReduceMean;
import io.filterviz.model.graph.Reshape;
import io.filterviz.model.graph.Slice;
import io.filterviz.model.graph.Softmax;
import io.filterviz.model.graph.Transpose;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Small graphs of a transformer's operators, all taking a 2-channel 4 × 4 image (their only size, as a ViT's is): a mini ViT block (its class
 * token a computed token, or a constant as a real ViT's), Swin's pieces, and
 * the rest of the tensor operators in the forms the engines must get right (broadcasts of either operand, constants
 * on either side, a constant concatenated after a tensor on a middle axis, repeated and reversed indices, softmax along a middle axis, units on a middle axis). The reference
 * checks them against finite differences (ReferenceTensorOpsTest), the oneDNN engine against the reference
 * (OnednnTensorOpsTest).
 */
public final class TransformerGraphs {
    public static final int CHANNELS = 2, HEIGHT = 4, WIDTH = 4;

    private TransformerGraphs() {}

    /** A graph and the tensors worth a target. */
    public record Case(String name, Graph graph, List<String> targets) {}

    /** Patch embedding, class token by Concat of a computed token, position embedding, attention, MLP, head. */
    public static Graph miniVit(SplittableRandom random) { return new Graph("vit", "x", CHANNELS, HEIGHT, WIDTH, vit(random, false)); }

    /** The same block with a ViT's own class token: a constant concatenated before the patch tokens (ConstantConcat). */
    public static Graph miniVitClassToken(SplittableRandom random) {
        return new Graph("vit-cls", "x", CHANNELS, HEIGHT, WIDTH, vit(random, true));
    }

    private static List<Node> vit(SplittableRandom random, boolean classToken) {
        int c = 4, t = 5;
        List<Node> nodes = new ArrayList<>(List.of(
                node("patch", new Conv(c, 2, 2, 2, 2, 2, new int[]{0, 0, 0, 0}, null, 1, 1, 1,
                        floats(random, c * 2 * 4, 0.5), floats(random, c, 0.1)), "x", "patches"),                                   // 4×2×2
                node("seq", new Reshape(new int[]{0, -1}), "patches", "seq"),                       // 4×4
                node("tok", new Transpose(new int[]{1, 0}), "seq", "tok4")));                        // 4 tokens × 4
        if (classToken) {
            nodes.add(node("cls_token", new ConstantConcat(0, floats(random, c, 1), new int[]{1, c}, true), "tok4", "tok5"));
        } else {
            nodes.add(node("first", new Slice(0, 0, 1, 1), "tok4", "first"));                      // a class-token stand-in
            nodes.add(new Node("cat", new Concat(2, 0), List.of("first", "tok4"), "tok5"));
        }
        nodes.addAll(List.of(
                node("posemb", new ConstantBinary(Binary.Kind.ADD, floats(random, t * c, 0.1), new int[]{t, c}, false), "tok5", "tokens"),
                node("ln1", new LayerNorm(1e-6f, floats(random, c, 1), floats(random, c, 0.1)), "tokens", "ln1"),
                node("qkv", dense(random, 3 * c, c), "ln1", "qkv"),                                  // 5×12
                node("split", new Reshape(new int[]{t, 3, 2, 2}), "qkv", "qkv4"),
                node("heads", new Transpose(new int[]{1, 2, 0, 3}), "qkv4", "qkvh"),                 // 3×2×5×2
                node("q", new Gather(0, new int[]{0}, true), "qkvh", "q"),
                node("k", new Gather(0, new int[]{1}, true), "qkvh", "k"),
                node("v", new Gather(0, new int[]{2}, true), "qkvh", "v"),
                node("kT", new Transpose(new int[]{0, 2, 1}), "k", "kT"),
                new Node("qk", new MatMul(), List.of("q", "kT"), "qk"),
                node("scale", new ConstantBinary(Binary.Kind.MUL, new float[]{(float) Math.sqrt(0.5)}, new int[]{1}, false), "qk", "scores"),
                node("softmax", new Softmax(2), "scores", "attn"),
                new Node("av", new MatMul(), List.of("attn", "v"), "av"),                          // 2×5×2
                node("merge", new Transpose(new int[]{1, 0, 2}), "av", "av2"),
                node("merge2", new Reshape(new int[]{t, c}), "av2", "av3"),
                node("proj", dense(random, c, c), "av3", "mixed"),
                new Node("res1", new Add(), List.of("mixed", "tokens"), "res1"),
                node("ln2", new LayerNorm(1e-6f, floats(random, c, 1), floats(random, c, 0.1)), "res1", "ln2"),
                node("fc1", dense(random, 2 * c, c), "ln2", "fc1"),
                node("gelu", Activation.gelu(), "fc1", "hidden"),
                node("fc2", dense(random, c, 2 * c), "hidden", "fc2"),
                new Node("res2", new Add(), List.of("fc2", "res1"), "block"),
                node("cls", new Gather(0, new int[]{0}, true), "block", "cls"),
                node("head", dense(random, 3, c), "cls", "logits")));
        return nodes;
    }

    public static Case miniVitCase() {
        return new Case("vit", miniVit(new SplittableRandom(7)),
                List.of("tokens", "ln1", "scores", "attn", "mixed", "hidden", "block", "cls", "logits"));
    }

    public static Case miniVitClassTokenCase() {
        return new Case("vit-cls", miniVitClassToken(new SplittableRandom(7)),
                List.of("tok5", "tokens", "attn", "mixed", "block", "cls", "logits"));
    }

    /** A channels-last plane, a roll by one row (Slice + Concat), window partition, a relative-bias Add, a mask, Erf, Tanh, Sqrt. */
    public static Graph swinPieces(SplittableRandom random) {
        List<Node> nodes = List.of(
                node("conv", conv(random, 2, 3), "x", "c"),                                // 3×4×4
                node("nhwc", new Transpose(new int[]{1, 2, 0}), "c", "p"),                  // 4×4×3
                node("top", new Slice(0, 1, Long.MAX_VALUE, 1), "p", "top"),
                node("bottom", new Slice(0, 0, 1, 1), "p", "bottom"),
                new Node("roll", new Concat(2, 0), List.of("top", "bottom"), "rolled"),
                node("win", new Reshape(new int[]{2, 2, 2, 2, 3}), "rolled", "w5"),
                node("winT", new Transpose(new int[]{0, 2, 1, 3, 4}), "w5", "w5t"),
                node("flat", new Reshape(new int[]{4, 4, 3}), "w5t", "windows"),          // 4 windows × 4 tokens × 3
                node("wT", new Transpose(new int[]{0, 2, 1}), "windows", "windowsT"),
                new Node("scores", new MatMul(), List.of("windows", "windowsT"), "scores"),
                node("bias", new ConstantBinary(Binary.Kind.ADD, floats(random, 16, 1), new int[]{4, 4}, false), "scores", "biased"),
                node("mask", new ConstantBinary(Binary.Kind.ADD, new float[]{0, -100, 0, 0}, new int[]{4, 1, 1}, false), "biased", "masked"),
                node("sm", new Softmax(2), "masked", "attn"),
                new Node("out", new MatMul(), List.of("attn", "windows"), "out"),
                node("erf", Activation.of(Activation.Kind.ERF), "out", "erf"),
                node("tanh", Activation.of(Activation.Kind.TANH), "erf", "tanh"),
                node("pos", new ConstantBinary(Binary.Kind.ADD, new float[]{2}, new int[]{1}, false), "attn", "pos"),
                node("sqrt", Activation.of(Activation.Kind.SQRT), "pos", "sqrt"));
        return new Graph("swin", "x", CHANNELS, HEIGHT, WIDTH, nodes);
    }

    public static Case swinCase() {
        return new Case("swin", swinPieces(new SplittableRandom(8)), List.of("rolled", "windows", "masked", "attn", "out", "tanh", "sqrt"));
    }

    /**
     * The other forms: a LayerNorm written out (ReduceMean, a Sub whose first operand broadcasts, Sqrt, a Div whose
     * second does), both operands broadcast at once, Mul with the full tensor second; constants before the tensor
     * (c − x, c / x, scalar and not), a scalar of higher rank; Gather of repeated indices, Slice reversed and of step 2,
     * Concat on a middle axis, softmax along a middle axis, matmuls whose left or right operand broadcasts (or has
     * fewer axes); a Linear on a rank-3 tensor with GELU; units on axis 0 of a token tensor, and on a middle axis.
     */
    public static Graph otherForms(SplittableRandom random) {
        List<Node> nodes = List.of(
                node("conv", conv(random, 2, 3), "x", "c"),                                                  // 3×4×4
                node("nhwc", new Transpose(new int[]{1, 2, 0}), "c", "t0"),                                   // 4×4×3
                node("embed", dense(random, 3, 3), "t0", "t"),                                                // bf16 on from here
                node("mean", new ReduceMean(2), "t", "mean"),                                                 // 4×4×1
                new Node("centre", new Binary(Binary.Kind.SUB), List.of("mean", "t"), "negd"),              // first broadcasts
                new Node("square", new Binary(Binary.Kind.MUL), List.of("negd", "negd"), "sq"),
                node("var", new ReduceMean(2), "sq", "var"),
                node("eps", new ConstantBinary(Binary.Kind.ADD, new float[]{0.5f}, new int[]{1}, false), "var", "vare"),
                node("std", Activation.of(Activation.Kind.SQRT), "vare", "std"),
                new Node("norm", new Binary(Binary.Kind.DIV), List.of("negd", "std"), "norm"),              // second broadcasts
                node("recip", new ConstantBinary(Binary.Kind.DIV, floats(random, 4, 1), new int[]{4, 1}, true), "std", "recip"),
                node("half", new ConstantBinary(Binary.Kind.DIV, new float[]{2f}, new int[]{1}, true), "std", "half"),
                node("flip", new ConstantBinary(Binary.Kind.SUB, floats(random, 48, 1), new int[]{4, 4, 3}, true), "norm", "flip"),
                node("less", new ConstantBinary(Binary.Kind.SUB, new float[]{0.25f}, new int[]{1}, true), "flip", "less"),
                node("gain", new ConstantBinary(Binary.Kind.MUL, floats(random, 3, 1), new int[]{3}, false), "less", "gain"),
                node("over", new ConstantBinary(Binary.Kind.DIV, new float[]{1.5f, -2f, 3f}, new int[]{3}, false), "gain", "over"),
                node("lift", new ConstantBinary(Binary.Kind.MUL, new float[]{0.5f}, new int[]{1, 1, 1, 1}, false), "over", "lift"), // 1×4×4×3
                new Node("gate", new Binary(Binary.Kind.MUL), List.of("recip", "t"), "gated"),              // first broadcasts, commutes
                node("colmean", new ReduceMean(1), "t", "colmean"),                                           // 4×1×3
                new Node("outer", new Binary(Binary.Kind.ADD), List.of("half", "colmean"), "outer"),         // both broadcast
                node("pick", new Gather(1, new int[]{3, 0, 0, -1}, false), "norm", "picked"),
                node("rev", new Slice(0, -1, Long.MIN_VALUE, -1), "picked", "rev"),
                node("odd", new Slice(1, 1, Long.MAX_VALUE, 2), "gated", "odd"),                              // 4×2×3
                new Node("side", new Concat(2, 1), List.of("rev", "odd"), "side"),                            // 4×6×3
                node("smid", new Softmax(1), "side", "smid"),
                // a unit's mean of smid is 1/6 whatever the input: weight it by side, or the gradient is rounding
                new Node("weigh", new Binary(Binary.Kind.MUL), List.of("smid", "side"), "weighed"),
                node("tanh", Activation.of(Activation.Kind.TANH), "weighed", "th"),
                node("kT", new Transpose(new int[]{0, 2, 1}), "outer", "kT"),                                 // 4×3×4
                node("k1", new Slice(0, 1, 2, 1), "kT", "k1"),                                                // 1×3×4
                new Node("mmr", new MatMul(), List.of("t", "k1"), "mmr"),                                     // right broadcasts
                node("k2", new Gather(0, new int[]{2}, true), "kT", "k2"),                                    // 3×4
                new Node("mmr2", new MatMul(), List.of("gated", "k2"), "mmr2"),                               // right has fewer axes
                node("a1", new Slice(0, 0, 1, 1), "t", "a1"),                                                 // 1×4×3
                new Node("mml", new MatMul(), List.of("a1", "kT"), "mml"),                                    // left broadcasts
                new Node("mix", new Add(), List.of("mmr", "mml"), "mix"),
                new Node("mix2", new Binary(Binary.Kind.ADD), List.of("mix", "mmr2"), "mix2"),
                node("erf", Activation.of(Activation.Kind.ERF), "mix2", "erf"),
                node("ln", new LayerNorm(1e-5f, floats(random, 3, 1), floats(random, 3, 0.1)), "t0", "ln"),   // of a transposed view
                node("fc", dense(random, 5, 3), "ln", "fc"),                                                  // 4×4×5
                node("gelu", Activation.gelu(), "fc", "gelu"),
                node("units0", new Reshape(new int[]{0, -1}), "c", "units0"),                                 // 3×16, units on axis 0
                node("mid", new Transpose(new int[]{1, 0, 2}), "c", "mid"),                                   // 4×3×4, units on axis 1
                node("tail", new ConstantConcat(1, floats(random, 24, 1), new int[]{4, 2, 3}, false), "gated", "tail"), // 4×6×3
                node("kRev", new Slice(0, -1, Long.MIN_VALUE, -1), "kT", "kRev"),                             // all of kT, over k1
                new Node("kMix", new Binary(Binary.Kind.MUL), List.of("kRev", "k1"), "kMix"));                 // 4×3×4
        return new Graph("other-forms", "x", CHANNELS, HEIGHT, WIDTH, nodes);
    }

    public static Case otherFormsCase() {
        return new Case("other-forms", otherForms(new SplittableRandom(9)),
                List.of("negd", "std", "norm", "recip", "half", "flip", "less", "over", "lift", "gated", "outer", "picked",
                        "rev", "odd", "side", "th", "mmr", "mmr2", "mml", "mix2", "erf", "ln", "gelu", "units0", "mid", "tail", "kMix"));
    }

    /**
     * A ViT encoder at any size, built as the mini ViT is (random weights): a {@code patch} × {@code patch} patch
     * embedding of an RGB {@code image} × {@code image} picture, a constant class token before the patch tokens, a
     * position embedding, then {@code blocks} pre-LayerNorm blocks (fused qkv Linear, {@code heads} heads, GELU MLP of
     * {@code mlp}). Tensors: "tokens", then "block0", "block1", ... ViT-B/16: 224, 16, 768, 12, 3072.
     */
    public static Graph vitEncoder(SplittableRandom random, int image, int patch, int c, int heads, int mlp, int blocks) {
        int side = image / patch, t = side * side + 1, hd = c / heads;
        List<Node> nodes = new ArrayList<>(List.of(
                node("patch", new Conv(c, 3, patch, patch, patch, patch, new int[]{0, 0, 0, 0}, null, 1, 1, 1,
                        floats(random, c * 3 * patch * patch, 1 / Math.sqrt(3.0 * patch * patch)), floats(random, c, 0.1)), "x", "patches"),
                node("seq", new Reshape(new int[]{0, -1}), "patches", "seq"),
                node("tok", new Transpose(new int[]{1, 0}), "seq", "patchTokens"),
                node("cls_token", new ConstantConcat(0, floats(random, c, 1), new int[]{1, c}, true), "patchTokens", "tok"),
                node("posemb", new ConstantBinary(Binary.Kind.ADD, floats(random, t * c, 0.1), new int[]{t, c}, false), "tok", "tokens")));
        String x = "tokens";
        for (int b = 0; b < blocks; b++) {
            String p = "b" + b + "_";
            nodes.addAll(List.of(
                    node(p + "ln1", new LayerNorm(1e-6f, floats(random, c, 1), floats(random, c, 0.1)), x, p + "ln1"),
                    node(p + "qkv", dense(random, 3 * c, c), p + "ln1", p + "qkv"),
                    node(p + "split", new Reshape(new int[]{t, 3, heads, hd}), p + "qkv", p + "qkv4"),
                    node(p + "heads", new Transpose(new int[]{1, 2, 0, 3}), p + "qkv4", p + "qkvh"),
                    node(p + "q", new Gather(0, new int[]{0}, true), p + "qkvh", p + "q"),
                    node(p + "k", new Gather(0, new int[]{1}, true), p + "qkvh", p + "k"),
                    node(p + "v", new Gather(0, new int[]{2}, true), p + "qkvh", p + "v"),
                    node(p + "kT", new Transpose(new int[]{0, 2, 1}), p + "k", p + "kT"),
                    new Node(p + "qk", new MatMul(), List.of(p + "q", p + "kT"), p + "qk"),
                    node(p + "scale", new ConstantBinary(Binary.Kind.MUL, new float[]{(float) (1 / Math.sqrt(hd))}, new int[]{1}, false),
                            p + "qk", p + "scores"),
                    node(p + "softmax", new Softmax(2), p + "scores", p + "attn"),
                    new Node(p + "av", new MatMul(), List.of(p + "attn", p + "v"), p + "av"),
                    node(p + "merge", new Transpose(new int[]{1, 0, 2}), p + "av", p + "av2"),
                    node(p + "merge2", new Reshape(new int[]{t, c}), p + "av2", p + "av3"),
                    node(p + "proj", dense(random, c, c), p + "av3", p + "mixed"),
                    new Node(p + "res1", new Add(), List.of(p + "mixed", x), p + "res1"),
                    node(p + "ln2", new LayerNorm(1e-6f, floats(random, c, 1), floats(random, c, 0.1)), p + "res1", p + "ln2"),
                    node(p + "fc1", dense(random, mlp, c), p + "ln2", p + "fc1"),
                    node(p + "gelu", Activation.gelu(), p + "fc1", p + "hidden"),
                    node(p + "fc2", dense(random, c, mlp), p + "hidden", p + "fc2"),
                    new Node(p + "res2", new Add(), List.of(p + "fc2", p + "res1"), "block" + b)));
            x = "block" + b;
        }
        return new Graph("vit-encoder", "x", 3, image, image, nodes);
    }

    public static List<Case> cases() { return List.of(miniVitCase(), miniVitClassTokenCase(), swinCase(), otherFormsCase()); }

    private static Dense dense(SplittableRandom random, int out, int in) {
        return new Dense(out, in, floats(random, out * in, 1 / Math.sqrt(in)), floats(random, out, 0.1));
    }

    private static Conv conv(SplittableRandom random, int in, int out) {
        return new Conv(out, in, 3, 3, 1, 1, new int[]{1, 1, 1, 1}, null, 1, 1, 1, floats(random, out * in * 9, 0.3),
                floats(random, out, 0.1));
    }

    public static float[] floats(SplittableRandom random, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (scale * (random.nextDouble() * 2 - 1));
        return f;
    }

    private static Node node(String name, Op op, String in, String out) { return new Node(name, op, in, out); }
}
