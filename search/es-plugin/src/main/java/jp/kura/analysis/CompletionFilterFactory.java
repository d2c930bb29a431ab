package jp.kura.analysis;

import java.util.Locale;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ja.JapaneseCompletionFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.StringSetting;

/**
 * Adds the romaji of each token's reading for suggest-as-you-type: 東京 is indexed as 東京 and
 * toukyou, and a query typed half-way in kana or romaji (とうk becomes touk) still meets it.
 */
@NamedComponent("kura_ja_completion")
public final class CompletionFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        /** index (the default, for the indexed side) or query (for what the user types). */
        @StringSetting(path = "mode", defaultValue = "index")
        String mode();
    }

    private final JapaneseCompletionFilter.Mode mode;

    @Inject
    public CompletionFilterFactory(Settings settings) {
        try {
            this.mode = JapaneseCompletionFilter.Mode.valueOf(settings.mode().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "kura_ja_completion: mode must be index or query, not [" + settings.mode() + "]");
        }
    }

    @Override
    public TokenStream create(TokenStream input) {
        return new JapaneseCompletionFilter(input, mode);
    }
}
