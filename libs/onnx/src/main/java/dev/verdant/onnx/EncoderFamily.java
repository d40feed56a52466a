package dev.verdant.onnx;

/** Which embedding layout the encoder has (judged from its embedding tables, not its names). */
public enum EncoderFamily {
    /** Word + learned absolute position + token-type (segment) embeddings: BERT, MiniLM, RoBERTa. */
    BERT,
    /** Word + learned absolute position embeddings, no token types: DistilBERT-style. */
    DISTILBERT,
    /** Attention and FFN blocks present, but no learned absolute position table (e.g. rotary). */
    OTHER
}
