package jp.kura.analysis;

import java.util.List;
import java.util.Set;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ja.JapaneseAnalyzer;
import org.apache.lucene.analysis.ja.JapanesePartOfSpeechStopFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.ListSetting;

/** Drops tokens by part of speech: particles (は, が), auxiliary verbs, symbols and the like. */
@NamedComponent("kura_ja_part_of_speech")
public final class PartOfSpeechFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        /** Kuromoji tags such as 助詞-係助詞; empty means Lucene's default stop tags. */
        @ListSetting(path = "stoptags")
        List<String> stopTags();
    }

    private final Set<String> stopTags;

    @Inject
    public PartOfSpeechFilterFactory(Settings settings) {
        // A list setting has no default in the stable API, so "not given" arrives as empty.
        List<String> tags = settings.stopTags();
        this.stopTags = tags.isEmpty() ? JapaneseAnalyzer.getDefaultStopTags() : Set.copyOf(tags);
    }

    @Override
    public TokenStream create(TokenStream input) {
        return new JapanesePartOfSpeechStopFilter(input, stopTags);
    }
}
