package io.filterviz.config;

/** "412" (square) or "WxH". */
public record OutputDim(int width, int height) {
    public static OutputDim parse(String text) {
        String t = text.trim().toLowerCase();
        try {
            int x = t.indexOf('x');
            if (x < 0) {
                int side = Integer.parseInt(t);
                return new OutputDim(side, side);
            }
            return new OutputDim(Integer.parseInt(t.substring(0, x).trim()), Integer.parseInt(t.substring(x + 1).trim()));
        } catch (NumberFormatException e) {
            throw new BadInputException("--output-dim '" + text + "' is not a size like 412 or 640x480");
        }
    }

    @Override
    public String toString() { return width == height ? String.valueOf(width) : width + "x" + height; }
}
