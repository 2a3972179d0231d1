#include "cli/CommandLine.h"

#include "Error.h"
#include "cli/AiCommands.h"
#include "cli/AnonymiseCommand.h"
#include "cli/Commands.h"
#include "cli/EvalCommands.h"
#include "cli/NetCommands.h"
#include "cli/ReportCommand.h"
#include "cli/ServerOptions.h"
#include "cli/TrainCommand.h"
#include "cli/WorklistCommand.h"
#include "net/Pacs.h"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <stdexcept>

namespace spinelens::cli {

CLI::Validator intAtLeast(int lowest) {
    return CLI::Validator(
        [lowest](std::string& text) {
            char* end = nullptr;
            errno = 0;
            const long v = std::strtol(text.c_str(), &end, 10);
            if (!text.empty() && end && *end == '\0' && errno == 0 && v >= lowest && v <= INT_MAX)
                return std::string();
            return text + " is not a whole number >= " + std::to_string(lowest);
        },
        "INT>=" + std::to_string(lowest));
}

namespace {

// CLI11 converts "-1" to a huge unsigned value and reports a bad real with its whole range;
// these say what is wrong in a few words. (The conversion itself still rejects trailing text.)
const CLI::Validator kUnsigned(
    [](std::string& text) {
        return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos
                   ? std::string()
                   : text + " is not a whole number >= 0";
    },
    "UINT");

CLI::Validator realAtLeast(double lowest, bool inclusive) {
    return CLI::Validator(
        [lowest, inclusive](std::string& text) {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            const bool number = !text.empty() && end && *end == '\0';
            if (number && (inclusive ? v >= lowest : v > lowest))
                return std::string();
            return text + " is not a number " + (inclusive ? ">= " : "> ") +
                   std::to_string(lowest).substr(0, 3);
        },
        inclusive ? "REAL>=0" : "REAL>0");
}

// Every command is declared here once: its arguments and typed options (with ranges), its help,
// and what runs. Parsing, `--help` and the usage text all come from these declarations.
struct Table {
    CLI::App app{"spinelens-cli: the headless side of SpineLens (DICOM and X-ray reading, the "
                 "AI models, training and evaluation runs)",
                 "spinelens-cli"};
    std::function<int()> run; ///< set by the command the line chose
    std::string line;         ///< the arguments as typed, kept in a trained package's card
    std::ostream& out;
    std::ostream& err;

    Table(std::ostream& o, std::ostream& e) : out(o), err(e) {
        app.require_subcommand(0, 1);
        // Every option's default shows in --help; an option given twice keeps the last value,
        // as before the table.
        app.option_defaults()->always_capture_default()->multi_option_policy(
            CLI::MultiOptionPolicy::TakeLast);
        app.set_version_flag("--version", std::string("spinelens-cli ") + SPINELENS_VERSION);
        app.footer("Servers: dicom://AET@host:port (DIMSE; --calling-aet sets ours) or "
                   "http(s)://host:port/dicom-web (DICOMweb).\n"
                   "Exit codes: 0 done; 1 the command could not finish, was interrupted, or some "
                   "inputs could not be used (each is named on stderr); 2 the command line is "
                   "wrong; 3 internal error.\n"
                   "spinelens-cli COMMAND --help describes a command.");
        addReading();
        addSynthetic();
        addTraining();
        addModels();
        addRuns();
        addNetwork();
        declareWorklist(*command("worklist", "the clinicians' worklist: add and triage studies, "
                                             "list, decide, history, export, threshold, verify"),
                        run, out, err);
    }

    CLI::App* command(const char* name, const char* help) {
        CLI::App* c = app.add_subcommand(name, help);
        c->fallthrough(false);
        return c;
    }

    void addReading() {
        auto* info = command("info", "series found in files, folders and DICOMDIRs, as JSON");
        auto paths = std::make_shared<std::vector<std::string>>();
        info->add_option("PATH", *paths, "files, folders or DICOMDIRs")->required();
        info->callback(
            [this, paths] { run = [this, paths] { return runInfo(*paths, out, err); }; });

        auto* convert = command("convert", "write a series or X-ray as .nii.gz, .nii, .nrrd, "
                                           ".mha (modality values) or one slice as .png (the "
                                           "file's own VOI)");
        auto c = std::make_shared<ConvertOptions>();
        convert->add_option("INPUT", c->input, "file or folder")->required();
        convert->add_option("OUTPUT", c->output, "output file; its extension picks the format")
            ->required();
        convert->add_option("--series", c->seriesIndex, "series number as `info` lists them")
            ->check(intAtLeast(0));
        convert->add_option("--slice", c->slice, "for .png: display-order slice (default middle)")
            ->check(intAtLeast(-1));
        convert->callback([this, c] { run = [this, c] { return runConvert(*c, out, err); }; });
    }

    void addSynthetic() {
        auto* sample = command("sample", "write the synthetic sample study (MR, CT, X-ray "
                                         "phantoms)");
        auto s = std::make_shared<SampleOptions>();
        sample->add_option("OUTDIR", s->outputFolder, "folder to write")->required();
        sample->add_option("--seed", s->seed, "random seed")->check(kUnsigned);
        sample->callback([this, s] { run = [this, s] { return runSample(*s, out, err); }; });

        auto* phantom = command("phantom", "labelled synthetic data set: X-rays in class "
                                           "folders, lumbar MRI studies in the RSNA 2024 layout");
        auto p = std::make_shared<PhantomOptions>();
        phantom->add_option("--kind", p->kind, "xray or mri")
            ->required()
            ->check(CLI::IsMember({"xray", "mri"}));
        phantom->add_option("--count", p->count, "images (xray) or studies (mri)")
            ->required()
            ->check(intAtLeast(1));
        phantom->add_option("--seed", p->seed, "random seed")->check(kUnsigned);
        phantom->add_option("--out", p->outputFolder, "folder to write")->required();
        phantom->callback([this, p] { run = [this, p] { return runPhantom(*p, out, err); }; });
    }

    void addTraining() {
        auto* train = command("train", "train a model package (the studies' protocol by default)");
        auto t = std::make_shared<train::TrainOptions>();
        train
            ->add_option("--architecture", t->architecture,
                         "package folder with model.pt and model.json (classes, input)")
            ->required();
        train->add_option("--data", t->dataset, "class folders, RSNA 2024 folder or manifest CSV")
            ->required();
        train->add_option("--out", t->output, "package folder to write")->required();
        train->add_option("--name", t->name, "name of the new package");
        train->add_option("--epochs", t->epochs, "epochs")->check(intAtLeast(1));
        train->add_option("--batch", t->batchSize, "batch size")->check(intAtLeast(1));
        train->add_option("--lr", t->learningRate, "Adam's learning rate")
            ->check(realAtLeast(0.0, false));
        train->add_option("--l2", t->l2, "weight decay on convolution kernels")
            ->check(realAtLeast(0.0, true));
        train->add_option("--seed", t->seed, "split and augmentation seed")->check(kUnsigned);
        train
            ->add_option("--patience", t->patience,
                         "epochs without a better validation loss "
                         "before stopping")
            ->check(intAtLeast(1));
        train->add_option("--freeze", t->freeze, "parameter-name substring to freeze (repeat)")
            ->take_all()
            ->allow_extra_args(false);
        train
            ->add_option("--unfreeze-after", t->unfreezeAfter,
                         "epochs before frozen "
                         "parameters train too")
            ->check(intAtLeast(0));
        train->add_option("--init-weights", t->initWeights, "a model.pt to start from");
        train->add_flag("--resume", t->resume,
                        "continue an interrupted run of the same command from OUT.checkpoint "
                        "(written after every epoch)");
        train->add_option("--max-samples", t->maxSamples, "use at most this many samples")
            ->check(intAtLeast(1));
        auto noAugment = std::make_shared<bool>(false), noWeights = std::make_shared<bool>(false);
        train->add_flag("--no-augment", *noAugment, "no augmentation");
        train->add_flag("--no-class-weights", *noWeights, "no class weighting of the loss");
        train->add_flag("--int8-weights", t->int8Weights, "store big weights as int8");
        train->callback([this, t, noAugment, noWeights] {
            t->augment = !*noAugment;
            t->classWeights = !*noWeights;
            t->commandLine = "spinelens-cli" + line;
            run = [this, t] { return runTrain(*t, out, err); };
        });

        auto* calibrate = command("calibrate", "fit the temperature and the domain model of a "
                                               "package on the split it records (train does this "
                                               "itself)");
        auto k = std::make_shared<train::CalibrateOptions>();
        calibrate->add_option("--model", k->package, "package folder (changed in place)")
            ->required();
        calibrate->add_option("--data", k->dataset, "the data set it was trained on")->required();
        calibrate->callback([this, k] { run = [this, k] { return runCalibrate(*k, out, err); }; });
    }

    void addModels() {
        auto* classify = command("classify", "calibrated per-class probabilities and the domain "
                                             "check, one JSON line per image (and one per series "
                                             "over its in-domain slices)");
        auto c = std::make_shared<ClassifyOptions>();
        classify->add_option("--model", c->modelFolder, "package folder")->required();
        classify->add_flag("--any-modality", c->anyModality,
                           "run on series of another modality than the card's");
        classify->add_flag("--each-file", c->eachFile,
                           "classify every path on its own, never merged into one series");
        classify->add_option("PATH", c->paths, "files or folders")->required();
        classify->callback([this, c] { run = [this, c] { return runClassify(*c, out, err); }; });

        auto* report = command("report", "the AI result as standard DICOM in new series of the "
                                         "source study: a TID 1500 SR (probabilities, domain "
                                         "check, model) and a Grad-CAM Secondary Capture");
        auto r = std::make_shared<ReportOptions>();
        report->add_option("--model", r->modelFolder, "package folder")->required();
        report->add_option("PATH", r->path, "DICOM file or series folder")->required();
        report
            ->add_option("--out", r->outputFolder,
                         "folder for ai-report.dcm and "
                         "ai-heatmap.dcm")
            ->required();
        report->add_option("--series", r->seriesIndex, "series number as `info` lists them")
            ->check(intAtLeast(0));
        report
            ->add_option("--slice", r->slice,
                         "heatmap slice of a series (default: the one most for the "
                         "predicted class)")
            ->check(intAtLeast(-1));
        report->add_option("--method", r->method, "gradcam, gradcam++ or occlusion")
            ->check(CLI::IsMember({"gradcam", "gradcam++", "occlusion"}));
        report->add_flag("--any-modality", r->anyModality,
                         "run on a series of another modality than the card's");
        report->callback([this, r] { run = [this, r] { return runReport(*r, out, err); }; });

        auto* explain = command("explain", "heatmap blended over the image, and the float map "
                                           "(none for an image outside the model's training "
                                           "data)");
        auto e = std::make_shared<ExplainOptions>();
        explain->add_option("--model", e->modelFolder, "package folder")->required();
        explain->add_option("--method", e->method, "gradcam, gradcam++ or occlusion")
            ->check(CLI::IsMember({"gradcam", "gradcam++", "occlusion"}));
        explain->add_option("--class", e->className, "class to explain (default: predicted)");
        explain->add_option("--series", e->seriesIndex, "series number as `info` lists them")
            ->check(intAtLeast(0));
        explain->add_option("--slice", e->slice, "display-order slice (default middle)")
            ->check(intAtLeast(-1));
        explain->add_option("--opacity", e->opacity, "heatmap opacity")
            ->check(CLI::Range(0.0, 1.0));
        explain->add_flag("--allow-out-of-domain", e->allowOutOfDomain,
                          "write the map even for an image outside the training data");
        explain->add_flag("--any-modality", e->anyModality,
                          "run on a series of another modality than the card's");
        explain->add_option("PATH", e->path, "file or folder")->required();
        explain->add_option("--out", e->outPng, "OUT.png")->required();
        explain->add_option("--raw", e->rawOut, "the float map as .nrrd, .mha or .nii.gz");
        explain->callback([this, e] { run = [this, e] { return runExplain(*e, out, err); }; });
    }

    void addRuns() {
        auto* evaluate = command("evaluate", "evaluation run: every case, Grad-CAM maps, "
                                             "metrics; Ctrl+C stops, the same command resumes");
        auto v = std::make_shared<eval::EvaluateOptions>();
        auto seed = std::make_shared<std::uint64_t>(0);
        auto noHeatmaps = std::make_shared<bool>(false);
        evaluate->add_option("--model", v->model, "package folder")->required();
        evaluate->add_option("--data", v->dataset, "class folders, RSNA 2024 folder or manifest")
            ->required();
        evaluate->add_option("--out", v->output, "RUN.sqlite (resumed when it holds this run)")
            ->required();
        evaluate->add_option("--split", v->split, "test (the package's own test split) or all")
            ->check(CLI::IsMember({"test", "all"}));
        CLI::Option* seedOption =
            evaluate
                ->add_option("--seed", *seed, "split seed (default: the one the package records)")
                ->check(kUnsigned);
        evaluate->add_flag("--no-heatmaps", *noHeatmaps, "store no Grad-CAM maps");
        evaluate->callback([this, v, seed, seedOption, noHeatmaps] {
            if (seedOption->count() > 0)
                v->seed = *seed;
            v->heatmaps = !*noHeatmaps;
            run = [this, v] { return runEvaluate(*v, out, err); };
        });

        auto* metrics = command("metrics", "the run's metrics as JSON");
        auto m = std::make_shared<MetricsOptions>();
        auto noCurves = std::make_shared<bool>(false);
        metrics->add_option("RUN", m->runFile, "RUN.sqlite")->required();
        metrics->add_flag("--no-curves", *noCurves, "leave out the ROC and PR curves");
        metrics->callback([this, m, noCurves] {
            m->curves = !*noCurves;
            run = [this, m] { return runMetrics(*m, out, err); };
        });

        auto* exportCommand = command("export", "cases with tags and notes as CSV; the "
                                                "self-contained HTML report");
        auto x = std::make_shared<ExportOptions>();
        exportCommand->add_option("RUN", x->runFile, "RUN.sqlite")->required();
        CLI::Option* csv = exportCommand->add_option("--csv", x->csv, "OUT.csv");
        CLI::Option* html = exportCommand->add_option("--html", x->html, "OUT.html");
        exportCommand->callback([this, x, csv, html] {
            if (csv->count() == 0 && html->count() == 0)
                throw CLI::ValidationError("--csv/--html", "give at least one of them");
            run = [this, x] { return runExport(*x, out, err); };
        });
    }

    void addNetwork() {
        auto* echo = command("echo", "C-ECHO (or a QIDO-RS search): is the server there and "
                                     "does it talk to us");
        auto e = std::make_shared<NetOptions>();
        addServerOptions(echo, *e);
        echo->callback([this, e] { run = [this, e] { return runEcho(*e, out, err); }; });

        auto* query = command("query", "C-FIND or QIDO-RS at patient, study or series level, "
                                       "as JSON (wildcards * and ? in names and IDs)");
        auto q = std::make_shared<QueryOptions>();
        addServerOptions(query, *q);
        query->add_option("--level", q->level, "patient, study or series")
            ->check(CLI::IsMember({"patient", "study", "series"}));
        query->add_option("--patient-name", q->keys.patientName, "e.g. DOE^J*");
        query->add_option("--patient-id", q->keys.patientId, "patient ID");
        query->add_option("--date", q->keys.dateRange, "YYYYMMDD or FROM-TO (either may be empty)");
        query->add_option("--modality", q->keys.modality, "e.g. MR");
        query->add_option("--accession", q->keys.accession, "accession number");
        query->add_option("--description", q->keys.studyDescription, "study description");
        query->add_option("--study", q->keys.studyUid, "Study Instance UID (series level)");
        query->callback([this, q] { run = [this, q] { return runQuery(*q, out, err); }; });

        auto* retrieve = command("retrieve", "C-GET (default), C-MOVE or WADO-RS a study or "
                                             "series into a folder (STUDY/SERIES/SOP.dcm)");
        auto r = std::make_shared<RetrieveOptions>();
        addServerOptions(retrieve, *r);
        retrieve->add_option("--study", r->request.studyUid, "Study Instance UID")->required();
        retrieve->add_option("--series", r->request.seriesUid, "Series Instance UID");
        retrieve->add_option("--out", r->outputFolder, "folder to store into")->required();
        retrieve
            ->add_option("--move-to-port", r->movePort,
                         "DIMSE: use C-MOVE, receiving on this port (the PACS must know our AE "
                         "title, host and port)")
            ->check(CLI::Range(1, 65535));
        retrieve->callback([this, r] { run = [this, r] { return runRetrieve(*r, out, err); }; });

        auto* send = command("send", "C-STORE or STOW-RS files and folders to the server");
        auto s = std::make_shared<SendOptions>();
        addServerOptions(send, *s);
        send->add_option("PATH", s->paths, "DICOM files or folders")->required();
        send->callback([this, s] { run = [this, s] { return runSend(*s, out, err); }; });

        auto* anonymise = command("anonymise", "de-identified copy for research (PS3.15 basic "
                                               "profile, private attributes removed, UIDs "
                                               "replaced consistently; pixels untouched)");
        auto a = std::make_shared<AnonymiseCommandOptions>();
        anonymise->add_option("INPUT", a->input, "file or folder")->required();
        anonymise->add_option("OUTPUT", a->output, "file, or folder for a folder")->required();
        anonymise
            ->add_option("--shift-days", a->profile.dateShiftDays,
                         "keep dates, moved by this many days (modified dates option)")
            ->check(CLI::Range(-36500, 36500));
        anonymise->add_option("--subject", a->profile.subject,
                              "research subject code written as patient name and ID");
        anonymise->callback([this, a] { run = [this, a] { return runAnonymise(*a, out, err); }; });

        auto* receive = command("receive", "storage SCP: accept objects sent to our AE title, "
                                           "one JSON line each, until Ctrl+C or SIGTERM");
        auto v = std::make_shared<ReceiveOptions>();
        receive->add_option("--aet", v->settings.aeTitle, "our AE title");
        receive->add_option("--port", v->settings.port, "port to listen on")
            ->required()
            ->check(CLI::Range(1, 65535));
        receive->add_option("--out", v->outputFolder, "folder to store into")->required();
        receive->add_option("--stop-after", v->stopAfter, "stop after this many objects")
            ->check(intAtLeast(1));
        receive->add_flag("--any-called-aet", v->settings.anyCalledAet,
                          "accept associations addressed to any AE title");
        receive->callback([this, v] { run = [this, v] { return runReceive(*v, out, err); }; });
    }
};

} // namespace

int runCommandLine(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    net::initialiseNetworking(); // before any thread starts
    try {
        Table table(out, err);
        for (int i = 1; i < argc; ++i)
            table.line += std::string(" ") + argv[i];
        try {
            table.app.parse(argc, argv);
        } catch (const CLI::CallForHelp&) {
            out << table.app.help();
            return Ok;
        } catch (const CLI::CallForAllHelp&) {
            out << table.app.help("", CLI::AppFormatMode::All);
            return Ok;
        } catch (const CLI::CallForVersion& e) {
            out << e.what() << '\n';
            return Ok;
        } catch (const CLI::ParseError& e) {
            // One line naming what is wrong; the help is one --help away.
            const std::string command = table.app.get_subcommands().empty()
                                            ? std::string()
                                            : " " + table.app.get_subcommands()[0]->get_name();
            err << "spinelens-cli" << command << ": " << e.what() << " (spinelens-cli" << command
                << " --help)\n";
            return Usage;
        }
#ifdef SPINELENS_TEST_HOOKS
        // Test hook (test builds only): proves an unexpected exception is exit 3 with one
        // line, not an abort.
        if (std::getenv("SPINELENS_TEST_INTERNAL_ERROR"))
            throw std::logic_error("test hook SPINELENS_TEST_INTERNAL_ERROR");
#endif
        if (!table.run) {
            err << "spinelens-cli: no command given (spinelens-cli --help lists them)\n";
            return Usage;
        }
        return table.run();
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return InputsFailed;
    } catch (const std::exception& e) {
        err << "spinelens-cli: internal error: " << e.what() << '\n';
        return Internal;
    } catch (...) {
        err << "spinelens-cli: internal error (unknown exception)\n";
        return Internal;
    }
}

} // namespace spinelens::cli
