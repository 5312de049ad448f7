package io.filterviz.engine.onednn;

import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_primitive_desc;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Concatenation along channels (its gradient: each input's slice) and Flatten (a reshape of a plain buffer).
 */
final class LayoutLowering extends Lowering {
    LayoutLowering(ChainBuild build) { super(build); }

    void concat(Node node) {
        List<String> inputs = node.inputs();
        int type = values.get(inputs.get(0)).dataType();
        for (String in : inputs) if (values.get(in).dataType() != type) type = dt;
        Shape out = shapes.get(node.output());
        // One layout for every source and the output, the one most of the bytes are in already, so that oneDNN
        // copies blocks (a mix of layouts runs its reference concat); a source in another layout is reordered once
        // for all the concatenations that read it (DenseNet's block input is read by every layer's).
        int tag = commonLayout(inputs, type);
        List<Value> sources = new ArrayList<>();
        for (String in : inputs) sources.add(build.as(in, Dnnl.md(type, tag, values.get(in).dims()), forward));
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_concat_primitive_desc_create(pd, Dnnl.md(type, tag, dims(out)), sources.size(), 1,
                Dnnl.array(sources.stream().map(Value::md).toList()), parts.attr(), parts.engine()),
                "concat_primitive_desc_create " + node.name());
        parts.keep(pd);
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, multipleSources(sources, y)));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            // Each input's gradient is its slice of channels: a view of the output's gradient where its layout has
            // one at any channel offset (nchw, nhwc), else of a plain copy; then into the input's own layout.
            long[] all = dims(out);
            Value whole = dy;
            if (all.length != 4) {
                whole = parts.reorderIfNeeded(backward, dy, Dnnl.plain(dy.dataType(), all));
            } else if (!Dnnl.same(dy.md(), Dnnl.md(dy.dataType(), dnnl_nchw, all))
                    && !Dnnl.same(dy.md(), Dnnl.md(dy.dataType(), dnnl_nhwc, all))) {
                whole = parts.reorderInto(backward, dy, Dnnl.md(dy.dataType(), tag == dnnl_nhwc ? dnnl_nhwc : dnnl_nchw, all));
            }
            long offset = 0;
            for (String in : inputs) {
                long[] d = dims(shapes.get(in));
                long[] at = new long[d.length];
                at[1] = offset;
                offset += d[1];
                Value slice = parts.view(whole, Dnnl.submemory(whole.md(), d, at));
                Value own = values.get(in);
                contribute(in, parts.reorderInto(backward, slice,
                        own.dataType() == dy.dataType() ? own.md() : Dnnl.plain(dy.dataType(), d)));
            }
        });
    }

    /** nChw16c when every input is in it (and so a multiple of 16 channels), else nhwc or nchw by bytes. */
    private int commonLayout(List<String> inputs, int type) {
        long nhwc = 0, nchw = 0;
        boolean allBlocked = true;
        for (String in : inputs) {
            Value v = values.get(in);
            long[] d = v.dims();
            long bytes = Dnnl.bytes(v.md());
            if (d.length != 4 || d[1] % 16 != 0 || !Dnnl.same(v.md(), Dnnl.md(v.dataType(), dnnl_nChw16c, d))) allBlocked = false;
            if (d.length == 4 && Dnnl.same(v.md(), Dnnl.md(v.dataType(), dnnl_nhwc, d))) nhwc += bytes;
            else nchw += bytes;
        }
        if (dims(shapes.get(inputs.get(0))).length != 4) return dnnl_ab;
        return allBlocked ? dnnl_nChw16c : nhwc > nchw ? dnnl_nhwc : dnnl_nchw;
    }

    void flatten(Node node) {
        String input = node.inputs().get(0);
        Value x = values.get(input);
        Shape in = shapes.get(input);
        if (in.vector()) {
            values.put(node.output(), x);
            backwardBuilders.add(() -> {
                Value dy = gradientOf(node.output());
                if (dy != null) contribute(input, dy);
            });
            return;
        }
        Value plain = parts.reorderIfNeeded(forward, x, Dnnl.plain(x.dataType(), dims(in)));
        long units = in.size();
        values.put(node.output(), parts.view(plain, Dnnl.plain(x.dataType(), batch, units)));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value flat = parts.reorderIfNeeded(backward, dy, Dnnl.plain(dy.dataType(), batch, units));
            contribute(input, parts.view(flat, Dnnl.plain(dy.dataType(), dims(in))));
        });
    }
}
