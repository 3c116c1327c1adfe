package org.ebm4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Overrides of any setting of any config record, one mechanism for every method: the base
 * config (a preset) becomes a JSON tree, a config file is merged onto it, then each
 * {@code key=value} is set, and the tree is read back through {@link ConfigType#read}, so the
 * record's compact constructor validates the result.
 *
 * <p>Order (later wins): base → config file → {@code key=value} settings in the given order.
 * The CLI then applies its specific flags (e.g. {@code --iters}) on the result.
 */
public final class ConfigOverrides {
    private ConfigOverrides() {}

    /**
     * @param type  the config's JSON form
     * @param base  the starting values (a preset)
     * @param file  a JSON file holding a full or partial config (the form of config.json's
     *              {@code config} object; a whole config.json of a run is accepted too and read as that run reads it), or null
     * @param sets  {@code key=value} settings; keys are the JSON field names, dotted for nested
     *              ones ({@code cadence.logEvery}); values are JSON ({@code 0.01}, {@code true},
     *              {@code [1,4,16]}) or plain text ({@code restart})
     * @throws EbmException naming the bad key, value or file
     */
    public static <T extends Record> T apply(ConfigType<T> type, T base, Path file, List<String> sets) {
        ObjectNode tree = type.toTree(base);
        if (file != null) {
            JsonNode root = readFile(type, file);
            JsonNode inner = root.get("config");
            if (inner != null && inner.isObject()) {
                // a run's whole config.json is that run's complete config: read as the run reads it
                // (a setting it predates takes its legacy value, not the preset's), not merged onto the preset
                tree = type.toTree(type.read(inner));
            } else {
                merge(tree, type.normalize(root));
            }
        }
        for (String s : sets == null ? List.<String>of() : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new EbmException("--set expects key=value, got '" + s + "'");
            }
            String path = type.resolveKey(s.substring(0, eq).trim());
            ConfigType.put(tree, path, parseValue(s.substring(eq + 1)));
        }
        return type.read(tree);
    }

    private static JsonNode readFile(ConfigType<?> type, Path file) {
        JsonNode root;
        try {
            root = AtomicFiles.MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new EbmException("cannot read config file '" + file + "': " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new EbmException("config file '" + file + "' must hold a JSON object of " + type.name() + " settings");
        }
        return root;
    }

    /** A value given on the command line: JSON when it parses as JSON, else the text itself. */
    static JsonNode parseValue(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return TextNode.valueOf(t);
        }
        try {
            JsonNode n = AtomicFiles.MAPPER.readTree(t);
            return n == null || n.isMissingNode() ? TextNode.valueOf(t) : n;
        } catch (IOException e) {
            return TextNode.valueOf(t);
        }
    }

    /** Deep merge: objects merge key by key, anything else replaces. */
    static void merge(ObjectNode into, JsonNode from) {
        for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode old = into.get(e.getKey());
            if (old instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                into.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }
}
