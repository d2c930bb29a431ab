package jp.kura.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ja.JapaneseReadingFormFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;

/** Replaces each token by its reading (東京 -> トウキョウ, or toukyou), for kana and romaji search. */
@NamedComponent("kura_ja_readingform")
public final class ReadingFormFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @BooleanSetting(path = "use_romaji", defaultValue = false)
        boolean useRomaji();
    }

    private final boolean useRomaji;

    @Inject
    public ReadingFormFilterFactory(Settings settings) {
        this.useRomaji = settings.useRomaji();
    }

    @Override
    public TokenStream create(TokenStream input) {
        return new JapaneseReadingFormFilter(input, useRomaji);
    }
}
