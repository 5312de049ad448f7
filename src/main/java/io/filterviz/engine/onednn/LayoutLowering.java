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
        List<Value> sources = new ArrayList<>();
        for (String in : inputs) {
            Value v = values.get(in);
            sources.add(v.dataType() == type ? v : parts.reorderInto(forward, v, Dnnl.plain(type, v.dims())));
        }
        Shape out = shapes.get(node.output());
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_concat_primitive_desc_create(pd, Dnnl.md(type, dnnl_format_tag_any, dims(out)), sources.size(), 1,
                Dnnl.array(sources.stream().map(Value::md).toList()), parts.attr(), parts.engine()),
                "concat_primitive_desc_create " + node.name());
        parts.keep(pd);
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, multipleSources(sources, y)));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            // Each input's gradient is its slice of channels, read from a plain copy of the output's.
            Value plain = parts.reorderIfNeeded(backward, dy, Dnnl.plain(dy.dataType(), dims(out)));
            long offset = 0;
            for (String in : inputs) {
                long[] d = dims(shapes.get(in));
                long[] at = new long[d.length];
                at[1] = offset;
                offset += d[1];
                Value slice = parts.view(plain, Dnnl.submemory(plain.md(), d, at));
                contribute(in, parts.reorderInto(backward, slice, Dnnl.plain(dy.dataType(), d)));
            }
        });
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
