package jp.kura.analysis;

import java.io.Reader;

import org.apache.lucene.analysis.cjk.CJKWidthCharFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.CharFilterFactory;

/**
 * The same width folding as the kura_cjk_width token filter, before tokenizing: kuromoji then
 * sees ｱｲﾌｫﾝ１５ as アイフォン15 and keeps the number whole instead of one token per digit.
 */
@NamedComponent("kura_cjk_width")
public final class CjkWidthCharFilterFactory implements CharFilterFactory {

    @Override
    public Reader create(Reader reader) {
        return new CJKWidthCharFilter(reader);
    }

    @Override
    public Reader normalize(Reader reader) {
        return create(reader);
    }
}
