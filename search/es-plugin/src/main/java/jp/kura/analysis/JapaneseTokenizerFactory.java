package jp.kura.analysis;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.ja.JapaneseTokenizer;
import org.apache.lucene.analysis.ja.dict.UserDictionary;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenizerFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;
import org.elasticsearch.plugin.settings.StringSetting;

/**
 * Kuromoji morphological analysis. Search mode by default: long compounds are also split into
 * their parts, so 関西国際空港 is found by 空港, while 東京都 stays 東京 + 都 and never yields 京都.
 */
@NamedComponent("kura_ja_tokenizer")
public final class JapaneseTokenizerFactory implements TokenizerFactory {

    @AnalysisSettings
    public interface Settings {
        /** search (default), normal or extended (unknown words split into characters). */
        @StringSetting(path = "mode", defaultValue = "search")
        String mode();

        @BooleanSetting(path = "discard_punctuation", defaultValue = true)
        boolean discardPunctuation();

        /** Search mode keeps the whole compound beside its parts unless this is set. */
        @BooleanSetting(path = "discard_compound_token", defaultValue = false)
        boolean discardCompoundToken();

        /** Kuromoji user dictionary lines: surface,segmentation,readings,part of speech. */
        @ListSetting(path = "user_dictionary_rules")
        List<String> userDictionaryRules();

        /** A user dictionary file (same format, UTF-8), relative to the node's config directory. */
        @StringSetting(path = "user_dictionary", defaultValue = "")
        String userDictionary();
    }

    private final JapaneseTokenizer.Mode mode;
    private final boolean discardPunctuation;
    private final boolean discardCompoundToken;
    private final UserDictionary userDictionary;

    @Inject
    public JapaneseTokenizerFactory(Settings settings) {
        this.mode = parseMode(settings.mode());
        this.discardPunctuation = settings.discardPunctuation();
        this.discardCompoundToken = settings.discardCompoundToken();
        // Parsed once per index, not per tokenizer: the dictionary is immutable and shared.
        List<String> lines = new ArrayList<>(settings.userDictionaryRules());
        if (settings.userDictionary().isEmpty() == false) {
            lines.addAll(readConfigFile(settings.userDictionary()));
        }
        this.userDictionary = openUserDictionary(lines);
    }

    @Override
    public Tokenizer create() {
        return new JapaneseTokenizer(userDictionary, discardPunctuation, discardCompoundToken, mode);
    }

    private static JapaneseTokenizer.Mode parseMode(String value) {
        try {
            return JapaneseTokenizer.Mode.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "kura_ja_tokenizer: mode must be search, normal or extended, not [" + value + "]");
        }
    }

    private static UserDictionary openUserDictionary(List<String> lines) {
        if (lines.isEmpty()) {
            return null;
        }
        try {
            return UserDictionary.open(new StringReader(String.join("\n", lines)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("kura_ja_tokenizer: invalid user dictionary: " + e.getMessage(), e);
        }
    }

    /**
     * The stable API gives no access to the node's Environment, so the config directory is found
     * the way the launcher sets it: ES_PATH_CONF, else the distribution's own config/. Every
     * plugin may read that directory, and nothing outside it is accepted.
     */
    private static List<String> readConfigFile(String relative) {
        String conf = System.getenv("ES_PATH_CONF");
        Path configDir = (conf != null && conf.isEmpty() == false)
            ? Path.of(conf)
            : Path.of(System.getProperty("es.path.home", "."), "config");
        configDir = configDir.toAbsolutePath().normalize();
        Path file = configDir.resolve(relative).normalize();
        if (file.startsWith(configDir) == false) {
            throw new IllegalArgumentException(
                "kura_ja_tokenizer: user_dictionary must be a path under the config directory, not [" + relative + "]");
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("kura_ja_tokenizer: cannot read user_dictionary [" + file + "]", e);
        }
    }
}
