package jp.kura.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/**
 * Full-width Latin to ASCII and half-width katakana to full-width (ｱｲﾌｫﾝ -> アイフォン, ＰＲＯ -> PRO).
 * The built-in cjk_width lives in analysis-common, which the Maven Central build lacks.
 */
@NamedComponent("kura_cjk_width")
public final class CjkWidthFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream input) {
        return new CJKWidthFilter(input);
    }

    /** Also in normalizers, so keyword and wildcard queries see the same width. */
    @Override
    public TokenStream normalize(TokenStream input) {
        return create(input);
    }
}
