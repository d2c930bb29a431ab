package jp.kura.analysis;

import java.io.Reader;

import org.apache.lucene.analysis.ja.JapaneseIterationMarkCharFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.CharFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;

/**
 * Spells out iteration marks before tokenizing (時々 -> 時時, こゝろ -> こころ), so both spellings
 * meet in the index. A char filter: kuromoji must see the expanded text to segment it well.
 */
@NamedComponent("kura_ja_iteration_mark")
public final class IterationMarkCharFilterFactory implements CharFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @BooleanSetting(path = "normalize_kanji", defaultValue = JapaneseIterationMarkCharFilter.NORMALIZE_KANJI_DEFAULT)
        boolean normalizeKanji();

        @BooleanSetting(path = "normalize_kana", defaultValue = JapaneseIterationMarkCharFilter.NORMALIZE_KANA_DEFAULT)
        boolean normalizeKana();
    }

    private final boolean normalizeKanji;
    private final boolean normalizeKana;

    @Inject
    public IterationMarkCharFilterFactory(Settings settings) {
        this.normalizeKanji = settings.normalizeKanji();
        this.normalizeKana = settings.normalizeKana();
    }

    @Override
    public Reader create(Reader reader) {
        return new JapaneseIterationMarkCharFilter(reader, normalizeKanji, normalizeKana);
    }

    @Override
    public Reader normalize(Reader reader) {
        return create(reader);
    }
}
