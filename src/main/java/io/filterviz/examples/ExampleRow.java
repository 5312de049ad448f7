package io.filterviz.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One row of examples.csv: a filter's rank-th image, its score and the position of the maximum in the target tensor. */
public record ExampleRow(String layer, int filter, int rank, String image, double score, int x, int y) {
    public static final String CSV_HEADER = "layer,filter,rank,image,score,x,y";

    public String csv() {
        return String.join(",", quoted(layer), String.valueOf(filter), String.valueOf(rank), quoted(image),
                String.format(Locale.ROOT, "%.9g", score), String.valueOf(x), String.valueOf(y));
    }

    /** The rows of a CSV this class wrote (header first). */
    public static List<ExampleRow> parse(String csv) {
        List<ExampleRow> rows = new ArrayList<>();
        List<String> lines = csv.lines().toList();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            if (line.isBlank()) continue;
            List<String> f = fields(line);
            rows.add(new ExampleRow(f.get(0), Integer.parseInt(f.get(1)), Integer.parseInt(f.get(2)), f.get(3),
                    Double.parseDouble(f.get(4)), Integer.parseInt(f.get(5)), Integer.parseInt(f.get(6))));
        }
        return rows;
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String quoted(String field) {
        if (field.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) return field;
        return '"' + field.replace("\"", "\"\"") + '"';
    }

    private static List<String> fields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean inQuotes = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (inQuotes) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    inQuotes = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                inQuotes = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }
}
