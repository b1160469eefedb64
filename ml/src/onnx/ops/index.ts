/** Registers every supported op (imported once, for its side effects, by the graph core). */
import './elementwise';
import './linalg';
import './reduce';
import './shape-ops';
import './indexing';
import './conv';
import './norm';
import './nchwc';
