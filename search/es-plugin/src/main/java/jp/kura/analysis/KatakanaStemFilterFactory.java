package jp.kura.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ja.JapaneseKatakanaStemFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.IntSetting;

/** Drops a trailing long-vowel mark from long katakana words, so コンピューター finds コンピュータ. */
@NamedComponent("kura_ja_katakana_stem")
public final class KatakanaStemFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        /** Shorter words keep their ー: カー (car) must not become カ. */
        @IntSetting(path = "minimum_length", defaultValue = JapaneseKatakanaStemFilter.DEFAULT_MINIMUM_LENGTH)
        int minimumLength();
    }

    private final int minimumLength;

    @Inject
    public KatakanaStemFilterFactory(Settings settings) {
        if (settings.minimumLength() < 2) {
            throw new IllegalArgumentException("kura_ja_katakana_stem: minimum_length must be at least 2");
        }
        this.minimumLength = settings.minimumLength();
    }

    @Override
    public TokenStream create(TokenStream input) {
        return new JapaneseKatakanaStemFilter(input, minimumLength);
    }

    @Override
    public TokenStream normalize(TokenStream input) {
        return create(input);
    }
}
