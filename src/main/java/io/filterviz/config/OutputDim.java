package io.filterviz.config;

/** "412" (square) or "WxH". */
public record OutputDim(int width, int height) {
    /** Not given: the planner picks 412, or a fixed-size network's input size. */
    public static final OutputDim UNSET = new OutputDim(0, 0);

    public static OutputDim parse(String text) {
        String t = text.trim().toLowerCase();
        OutputDim dim;
        try {
            int x = t.indexOf('x');
            if (x < 0) {
                int side = Integer.parseInt(t);
                dim = new OutputDim(side, side);
            } else {
                dim = new OutputDim(Integer.parseInt(t.substring(0, x).trim()), Integer.parseInt(t.substring(x + 1).trim()));
            }
        } catch (NumberFormatException e) {
            throw new BadInputException("--output-dim '" + text + "' is not a size like 412 or 640x480");
        }
        if (dim.width() <= 0 || dim.height() <= 0) {
            throw new BadInputException("--output-dim must be positive, got " + dim.width() + "x" + dim.height());
        }
        return dim;
    }

    @Override
    public String toString() { return width == height ? String.valueOf(width) : width + "x" + height; }
}
