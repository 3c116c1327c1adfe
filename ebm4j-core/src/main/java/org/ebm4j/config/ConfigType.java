package org.ebm4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.AtomicFiles;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of one config record, read generically from its record components: every
 * component is a setting named by its JSON field name, a nested record is a group of settings
 * named with dots ({@code cadence.logEvery}). Reading refuses unknown keys and ill-typed values
 * by name and then calls the canonical constructor, so the record's own validation runs.
 *
 * <p>{@code aliases} map the flat names of older config.json files to their current dotted
 * paths ({@code logEvery} → {@code cadence.logEvery}); such files still load, and the aliases
 * are accepted by {@link ConfigOverrides} as well.
 *
 * @param <T> the config record
 */
public final class ConfigType<T extends Record> {
    private final Class<T> type;
    private final String name;
    private final Map<String, String> aliases;

    /**
     * @param type    the record class
     * @param name    the method's name in messages ("unknown setting 'x' for patchgen")
     * @param aliases old flat key → current dotted path
     */
    public ConfigType(Class<T> type, String name, Map<String, String> aliases) {
        this.type = type;
        this.name = name;
        this.aliases = Map.copyOf(aliases);
    }

    public Class<T> type() {
        return type;
    }

    public String name() {
        return name;
    }

    /** Every setting's dotted name, in record order (nested records expanded). */
    public List<String> keys() {
        List<String> out = new ArrayList<>();
        collectKeys(type, "", out);
        return out;
    }

    private static void collectKeys(Class<?> rt, String prefix, List<String> out) {
        for (RecordComponent c : rt.getRecordComponents()) {
            if (c.getType().isRecord()) {
                collectKeys(c.getType(), prefix + c.getName() + ".", out);
            } else {
                out.add(prefix + c.getName());
            }
        }
    }

    /**
     * The dotted path of a user-given key: itself when it names a setting, its current path when
     * it is an old flat name.
     *
     * @throws EbmException "unknown setting 'foo' for patchgen; known: …"
     */
    public String resolveKey(String key) {
        if (keys().contains(key) || groups(type, "").contains(key)) {
            return key;
        }
        String a = aliases.get(key);
        if (a != null) {
            return a;
        }
        throw unknown(key);
    }

    /** Dotted names of the nested records (groups such as "cadence"). */
    private static List<String> groups(Class<?> rt, String prefix) {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : rt.getRecordComponents()) {
            if (c.getType().isRecord()) {
                out.add(prefix + c.getName());
                out.addAll(groups(c.getType(), prefix + c.getName() + "."));
            }
        }
        return out;
    }

    private EbmException unknown(String key) {
        return new EbmException("unknown setting '" + key + "' for " + name + "; known: " + String.join(", ", keys()));
    }

    /** The config as a JSON tree (the form of config.json's {@code config} object). */
    public ObjectNode toTree(T value) {
        return AtomicFiles.MAPPER.valueToTree(value);
    }

    /** The config as pretty-printed JSON. */
    public String toJson(T value) {
        try {
            return AtomicFiles.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of {@code node} with old flat keys moved to their nested paths (an explicit flat key wins). */
    public ObjectNode normalize(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new EbmException("a " + name + " config must be a JSON object, got " + (node == null ? "nothing" : node));
        }
        ObjectNode out = ((ObjectNode) node).deepCopy();
        for (Map.Entry<String, String> a : aliases.entrySet()) {
            JsonNode v = out.remove(a.getKey());
            if (v != null) {
                put(out, a.getValue(), v);
            }
        }
        return out;
    }

    /**
     * Sets {@code path} (dotted) in {@code root} to {@code value}, creating the groups on the way;
     * an object value is merged into an existing group rather than replacing it.
     */
    static void put(ObjectNode root, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode at = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = at.get(parts[i]);
            if (!(next instanceof ObjectNode)) {
                next = at.putObject(parts[i]);
            }
            at = (ObjectNode) next;
        }
        JsonNode old = at.get(parts[parts.length - 1]);
        if (old instanceof ObjectNode o && value.isObject()) {
            ConfigOverrides.merge(o, value);
        } else {
            at.set(parts[parts.length - 1], value);
        }
    }

    /**
     * Reads a config from its JSON form, current (nested) or old (flat). Missing settings take
     * Java's defaults (0, false, null), as plain Jackson reading did; the record's compact
     * constructor then decides whether that is valid.
     *
     * @throws EbmException naming an unknown key, an ill-typed value or the constructor's complaint
     */
    public T read(JsonNode node) {
        return readRecord(type, normalize(node), "");
    }

    private <R> R readRecord(Class<R> rt, JsonNode obj, String prefix) {
        RecordComponent[] comps = rt.getRecordComponents();
        List<String> known = new ArrayList<>();
        for (RecordComponent c : comps) {
            known.add(c.getName());
        }
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw unknown(prefix + f);
            }
        }
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            types[i] = c.getType();
            String path = prefix + c.getName();
            JsonNode v = obj.get(c.getName());
            if (v == null || v.isNull()) {
                args[i] = defaultOf(c.getType());
            } else if (c.getType().isRecord()) {
                if (!v.isObject()) {
                    throw new EbmException("setting '" + path + "' expects an object with " + String.join(", ",
                            keysOf(c.getType())) + ", got " + show(v));
                }
                args[i] = readRecord(c.getType(), v, path + ".");
            } else {
                args[i] = value(c.getType(), v, path);
            }
        }
        try {
            Constructor<R> ctor = rt.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + rt.getName(), e);
        }
    }

    private static List<String> keysOf(Class<?> rt) {
        List<String> out = new ArrayList<>();
        collectKeys(rt, "", out);
        return out;
    }

    private static Object defaultOf(Class<?> t) {
        if (!t.isPrimitive()) {
            return null;
        }
        if (t == boolean.class) {
            return false;
        }
        if (t == double.class) {
            return 0.0;
        }
        if (t == float.class) {
            return 0f;
        }
        if (t == long.class) {
            return 0L;
        }
        return t == int.class ? 0 : (Object) (short) 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object value(Class<?> t, JsonNode v, String path) {
        if (t == int.class || t == Integer.class) {
            Long l = integral(v);
            if (l == null || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw typeError(path, "an integer", v);
            }
            return l.intValue();
        }
        if (t == long.class || t == Long.class) {
            Long l = integral(v);
            if (l == null) {
                throw typeError(path, "an integer", v);
            }
            return l;
        }
        if (t == double.class || t == Double.class) {
            if (v.isNumber()) {
                return v.doubleValue();
            }
            if (v.isTextual()) {
                try {
                    return Double.parseDouble(v.asText().trim());
                } catch (NumberFormatException e) {
                    // fall through to the message
                }
            }
            throw typeError(path, "a number", v);
        }
        if (t == boolean.class || t == Boolean.class) {
            if (v.isBoolean()) {
                return v.booleanValue();
            }
            if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) {
                return Boolean.parseBoolean(v.asText());
            }
            throw typeError(path, "true or false", v);
        }
        if (t == String.class) {
            if (v.isValueNode()) {
                return v.asText();
            }
            throw typeError(path, "a string", v);
        }
        if (t.isEnum() && Choice.class.isAssignableFrom(t)) {
            if (!v.isTextual()) {
                throw typeError(path, "one of: " + Choices.labels((Class) t), v);
            }
            return parseChoice(t, v.asText(), path);
        }
        if (t == int[].class) {
            if (v.isTextual() && !v.asText().isBlank()) { // "1,4,16", as the CLI's --grids takes it
                com.fasterxml.jackson.databind.node.ArrayNode a = AtomicFiles.MAPPER.createArrayNode();
                for (String part : v.asText().split(",")) {
                    a.add(part.trim());
                }
                v = a;
            }
            if (!v.isArray()) {
                throw typeError(path, "a list of integers like [1,4,16]", v);
            }
            int[] out = new int[v.size()];
            for (int i = 0; i < out.length; i++) {
                Long l = integral(v.get(i));
                if (l == null || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                    throw typeError(path, "a list of integers like [1,4,16]", v);
                }
                out[i] = l.intValue();
            }
            return out;
        }
        try {
            return AtomicFiles.MAPPER.treeToValue(v, t);
        } catch (Exception e) {
            throw typeError(path, "a " + t.getSimpleName(), v);
        }
    }

    /** Parses through the enum's {@code of(String)} factory so its own message (setting name, labels) is used. */
    private static Object parseChoice(Class<?> t, String text, String path) {
        try {
            return t.getMethod("of", String.class).invoke(null, text);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(t.getName() + " lacks a public static of(String)", e);
        }
    }

    private static Long integral(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isTextual()) {
            try {
                return Long.parseLong(v.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static EbmException typeError(String path, String expected, JsonNode v) {
        return new EbmException("setting '" + path + "' expects " + expected + ", got " + show(v));
    }

    private static String show(JsonNode v) {
        return v.isTextual() ? "'" + v.asText() + "'" : v.toString();
    }

    /** Linked map helper for callers declaring aliases in order. */
    public static Map<String, String> aliases(String... flatThenPath) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flatThenPath.length; i += 2) {
            m.put(flatThenPath[i], flatThenPath[i + 1]);
        }
        return m;
    }
}
