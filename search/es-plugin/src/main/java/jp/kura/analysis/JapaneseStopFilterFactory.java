package jp.kura.analysis;

import java.util.List;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ja.JapaneseAnalyzer;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.ListSetting;

/** Japanese stop words (これ, それ, ある, ...): the built-in `stop` filter only knows languages by name. */
@NamedComponent("kura_ja_stop")
public final class JapaneseStopFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        /** Words to drop; empty means Lucene's Japanese list. */
        @ListSetting(path = "stopwords")
        List<String> stopwords();
    }

    private final CharArraySet stopwords;

    @Inject
    public JapaneseStopFilterFactory(Settings settings) {
        List<String> words = settings.stopwords();
        this.stopwords = words.isEmpty()
            ? JapaneseAnalyzer.getDefaultStopSet()
            : CharArraySet.unmodifiableSet(new CharArraySet(words, true));
    }

    @Override
    public TokenStream create(TokenStream input) {
        return new StopFilter(input, stopwords);
    }
}
