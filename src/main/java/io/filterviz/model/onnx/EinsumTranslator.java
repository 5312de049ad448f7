package io.filterviz.model.onnx;

import io.filterviz.model.graph.MatMul;
import io.filterviz.model.graph.Transpose;

import java.util.ArrayList;
import java.util.List;

/**
 * Einsum whose equation is a batched matrix product of two computed tensors, as attention written with einsum
 * (torchvision's MaxViT: {@code 'B G H I D, B G H J D -> B G H I J'} and {@code 'B G H I J, B G H J D -> B G H I D'}):
 * Transpose nodes bring each operand to [batch..., M, K] and [batch..., K, N], a {@link MatMul} multiplies, and a
 * Transpose puts the product's axes in the output's order. Every other equation (a trace, a sum over an axis, an
 * outer product, more than one contracted index, broadcasting of different ranks) is refused in one line naming it.
 */
final class EinsumTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("Einsum"); }

    @Override
    public String describe(String opType) { return "Einsum (batched matrix products)"; }

    @Override
    public void translate(OnnxNode n, Translation t) {
        n.allowOnly("equation");
        String equation = n.string("equation", "");
        if (n.inputCount() != 2) throw refuse(n, equation, "it has " + n.inputCount() + " operands");
        String a = t.runtime(n, 0), b = t.runtime(n, 1);
        TensorInfo ia = t.info(a), ib = t.info(b);
        Plan plan = plan(equation, ia.rank(), ib.rank(), why -> refuse(n, equation, why));
        // the batch axis of one stays left out while it is the first index of both operands and of the output
        boolean batched = ia.batched() && ib.batched() && plan.leadingShared();
        int drop = batched ? 1 : 0;
        String sa = batched ? a : TensorTranslator.unbatched(n, t, a);
        String sb = batched ? b : TensorTranslator.unbatched(n, t, b);
        String left = transposed(n, t, sa, plan.left(), drop, "lhs-transposed", batched);
        String right = transposed(n, t, sb, plan.right(), drop, "rhs-transposed", batched);
        int[] outPerm = strip(plan.output(), drop);
        if (identity(outPerm)) {
            t.emitTensor(n.name(), new MatMul(), List.of(left, right), n.output(0), batched, n);
        } else {
            String product = n.output(0) + "/product";
            t.emitTensor(t.derivedName(n, "product"), new MatMul(), List.of(left, right), product, batched, n);
            t.emitTensor(n.name(), new Transpose(outPerm), List.of(product), n.output(0), batched, n);
        }
    }

    private static io.filterviz.model.graph.ModelException refuse(OnnxNode n, String equation, String why) {
        return n.fail("has the equation '" + equation + "' (" + why + "); only a batched matrix product of two tensors is "
                + "supported, e.g. '...ij,...jk->...ik', with any order of the axes");
    }

    private static String transposed(OnnxNode n, Translation t, String x, int[] perm, int drop, String suffix, boolean batched) {
        int[] p = strip(perm, drop);
        if (identity(p)) return x;
        String out = x + "/" + suffix + "-for-" + n.name();
        t.emitTensor(t.derivedName(n, suffix), new Transpose(p), List.of(x), out, batched, n);
        return out;
    }

    /** {@code perm} without its first entry (which is 0, the batch axis left out), the others shifted down by one. */
    private static int[] strip(int[] perm, int drop) {
        int[] p = new int[perm.length - drop];
        for (int i = 0; i < p.length; i++) p[i] = perm[i + drop] - drop;
        return p;
    }

    private static boolean identity(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }

    /**
     * How the product is computed, as ONNX permutations: {@code left} takes operand A to [batch..., M, K],
     * {@code right} operand B to [batch..., K, N], {@code output} the product [batch..., M, N] to the output's order.
     * The batch indices are in the output's order.
     */
    record Plan(int[] left, int[] right, int[] output, boolean leadingShared) {}

    interface Refusal { RuntimeException because(String why); }

    /** The plan of {@code equation} for operands of these ranks; refuses an equation that is no batched product. */
    static Plan plan(String equation, int rankA, int rankB, Refusal refuse) {
        String eq = equation.replace(" ", "");
        String[] sides = eq.split("->", -1);
        if (sides.length > 2) throw refuse.because("more than one '->'");
        String[] operands = sides[0].split(",", -1);
        if (operands.length != 2) throw refuse.because(operands.length + " operands");
        List<String> a = indices(operands[0], rankA, refuse), b = indices(operands[1], rankB, refuse);
        if (a.size() != b.size()) throw refuse.because("operands of ranks " + a.size() + " and " + b.size());
        List<String> out;
        int ellipsis = ellipsisLength(a);
        if (ellipsisLength(b) != ellipsis) throw refuse.because("'...' broadcasts operands of different ranks");
        if (sides.length == 2) {
            if (ellipsis > 0 && !sides[1].contains("...")) throw refuse.because("it sums over the axes of '...'");
            out = expand(sides[1], ellipsis, refuse);
        } else { // implicit output: the ellipsis, then the indices seen once, alphabetically
            out = new ArrayList<>();
            for (String i : a) if (i.startsWith(".")) out.add(i);
            List<String> once = new ArrayList<>();
            for (String i : a) if (!i.startsWith(".") && !b.contains(i)) once.add(i);
            for (String i : b) if (!i.startsWith(".") && !a.contains(i)) once.add(i);
            once.sort(null);
            out.addAll(once);
        }
        for (List<String> side : List.of(a, b, out)) {
            if (side.stream().distinct().count() != side.size()) throw refuse.because("an index repeats in one term");
        }
        List<String> batch = new ArrayList<>(), contracted = new ArrayList<>();
        String m = null, k = null;
        for (String i : a) {
            boolean inB = b.contains(i), inOut = out.contains(i);
            if (inB && inOut) batch.add(i);
            else if (inB) contracted.add(i);
            else if (inOut) { if (m != null) throw refuse.because("more than one index of the first operand only"); m = i; }
            else throw refuse.because("it sums over '" + i + "' of one operand");
        }
        String nIndex = null;
        for (String i : b) {
            if (a.contains(i)) continue;
            if (!out.contains(i)) throw refuse.because("it sums over '" + i + "' of one operand");
            if (nIndex != null) throw refuse.because("more than one index of the second operand only");
            nIndex = i;
        }
        if (contracted.size() != 1) throw refuse.because(contracted.size() + " contracted indices");
        if (m == null || nIndex == null) throw refuse.because("a matrix-vector product");
        for (String i : out) if (!a.contains(i) && !b.contains(i)) throw refuse.because("the output has '" + i + "', no operand has");
        k = contracted.get(0);
        List<String> batchOrder = new ArrayList<>();
        for (String i : out) if (batch.contains(i)) batchOrder.add(i);
        List<String> leftOrder = new ArrayList<>(batchOrder), rightOrder = new ArrayList<>(batchOrder),
                productOrder = new ArrayList<>(batchOrder);
        leftOrder.add(m); leftOrder.add(k);
        rightOrder.add(k); rightOrder.add(nIndex);
        productOrder.add(m); productOrder.add(nIndex);
        boolean leadingShared = a.get(0).equals(b.get(0)) && a.get(0).equals(out.get(0)) && batch.contains(a.get(0));
        return new Plan(perm(leftOrder, a), perm(rightOrder, b), perm(out, productOrder), leadingShared);
    }

    /** perm[i] = where {@code target}'s i-th index lies in {@code source}. */
    private static int[] perm(List<String> target, List<String> source) {
        int[] p = new int[target.size()];
        for (int i = 0; i < p.length; i++) p[i] = source.indexOf(target.get(i));
        return p;
    }

    private static int ellipsisLength(List<String> indices) {
        return (int) indices.stream().filter(i -> i.startsWith(".")).count();
    }

    /** The term's indices, its ellipsis as ".0", ".1", ... to make up {@code rank} (−1: the ellipsis is empty). */
    private static List<String> indices(String term, int rank, Refusal refuse) {
        int named = term.replace("...", "").length();
        int ellipsis = term.contains("...") ? (rank < 0 ? 0 : rank - named) : 0;
        if (rank >= 0 && !term.contains("...") && named != rank) {
            throw refuse.because("a term of " + named + " indices for a rank-" + rank + " operand");
        }
        if (ellipsis < 0) throw refuse.because("a term of " + named + " indices for a rank-" + rank + " operand");
        return expand(term, ellipsis, refuse);
    }

    private static List<String> expand(String term, int ellipsis, Refusal refuse) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < term.length(); c++) {
            if (term.startsWith("...", c)) {
                for (int e = 0; e < ellipsis; e++) out.add("." + e);
                c += 2;
            } else if (Character.isLetter(term.charAt(c))) {
                out.add(String.valueOf(term.charAt(c)));
            } else {
                throw refuse.because("the character '" + term.charAt(c) + "'");
            }
        }
        return out;
    }
}
