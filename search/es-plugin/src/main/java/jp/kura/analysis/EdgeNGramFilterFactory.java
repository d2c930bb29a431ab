package jp.kura.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.IntSetting;

/** Prefixes of each token (と, とう, とうき, ...), indexed for suggest-as-you-type. */
@NamedComponent("kura_edge_ngram")
public final class EdgeNGramFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        /** Defaults as Elasticsearch's edge_ngram filter, so a mapping reads the same. */
        @IntSetting(path = "min_gram", defaultValue = 1)
        int minGram();

        @IntSetting(path = "max_gram", defaultValue = 2)
        int maxGram();

        @BooleanSetting(path = "preserve_original", defaultValue = false)
        boolean preserveOriginal();
    }

    private final int minGram;
    private final int maxGram;
    private final boolean preserveOriginal;

    @Inject
    public EdgeNGramFilterFactory(Settings settings) {
        // Checked here so a bad mapping fails at index creation, not at the first document.
        if (settings.minGram() < 1 || settings.maxGram() < settings.minGram()) {
            throw new IllegalArgumentException(
                "kura_edge_ngram: need 1 <= min_gram <= max_gram, got min_gram=" + settings.minGram()
                    + " max_gram=" + settings.maxGram());
        }
        this.minGram = settings.minGram();
        this.maxGram = settings.maxGram();
        this.preserveOriginal = settings.preserveOriginal();
    }

    @Override
    public TokenStream create(TokenStream input) {
        return new EdgeNGramTokenFilter(input, minGram, maxGram, preserveOriginal);
    }
}
