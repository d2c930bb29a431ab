package jp.kura.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ja.JapaneseBaseFormFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** Inflected verbs and adjectives to their dictionary form (住んで -> 住む), so 住む finds 住んでいる. */
@NamedComponent("kura_ja_baseform")
public final class BaseFormFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream input) {
        return new JapaneseBaseFormFilter(input);
    }
}
