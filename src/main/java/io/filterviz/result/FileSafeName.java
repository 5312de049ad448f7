package io.filterviz.result;

/**
 * The one rule that turns a layer (or model) name into part of a file name: ONNX tensor names are paths
 * ({@code /layer2/layer2.1/relu_1/Relu_output_0}) and may hold any character. Letters, digits, '.', '_' and '-'
 * stay; every other character becomes '_'; leading '_' and '.' go (no hidden files, no leading separator).
 * Keras and VGG names ({@code block5_conv1}) are unchanged.
 */
public final class FileSafeName {
    private FileSafeName() {}

    public static String of(String name) {
        StringBuilder safe = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            safe.append(kept ? c : '_');
        }
        int start = 0;
        while (start < safe.length() && (safe.charAt(start) == '_' || safe.charAt(start) == '.')) start++;
        return start == safe.length() ? "_" : safe.substring(start);
    }
}
