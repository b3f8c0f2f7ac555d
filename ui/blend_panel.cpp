// BlendPanel widgets and the normalized weight display.
#include "blend_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>

namespace stylize::ui {

BlendPanel::BlendPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("<b>Blend</b>"), this));
    rows_ = new QVBoxLayout;
    layout->addLayout(rows_);
    hint_ = new QLabel(tr("Pick one or more styles in the gallery; with several, set how much of each."), this);
    hint_->setWordWrap(true);
    rows_->addWidget(hint_);

    auto* form = new QFormLayout;
    // A 0..100% slider with its value beside it, as a row of the form; the label follows
    // the slider and every move is a change of the blend.
    const auto percentRow = [&](QSlider*& slider, QLabel*& label, const QString& name, int value, const QString& tip) {
        slider = new QSlider(Qt::Horizontal, this);
        slider->setRange(0, 100);
        slider->setValue(value);
        slider->setAccessibleName(name);
        slider->setToolTip(tip);
        label = new QLabel(QStringLiteral("%1%").arg(value), this);
        auto* row = new QHBoxLayout;
        row->addWidget(slider, 1);
        row->addWidget(label);
        form->addRow(name, row);
        connect(slider, &QSlider::valueChanged, this, [this, label](int v) {
            label->setText(QStringLiteral("%1%").arg(v));
            emitChange();
        });
    };
    percentRow(strength_, strengthLabel_, tr("Strength"), 100,
               tr("0%: the original frame, 100%: the full style. Picture styles mix their style with the "
                  "frame's own instead: 0% paints the frame in its own style"));
    keepColours_ = new QCheckBox(tr("Keep original colours"), this);
    keepColours_->setToolTip(tr("Take the painting's strokes and light, keep the scene's own colours"));
    form->addRow(QString(), keepColours_);
    percentRow(sceneLight_, sceneLightLabel_, tr("Scene light"), 0,
               tr("0%: the painting's light, as bright in a dim room or at night as by day. "
                  "100%: the painted frame as light or dark as the scene"));
    percentRow(steady_, steadyLabel_, tr("Steady"), 0,
               tr("0%: every frame painted on its own, its strokes flickering with the camera's noise. "
                  "100%: strokes stay on what they paint from frame to frame, followed as the camera moves; "
                  "what changes is painted anew"));
    brush_ = new QComboBox(this);
    brush_->addItem(tr("Auto (keep the view live)"), 0);
    for (int percent : {25, 35, 50, 75, 100})
        brush_->addItem(tr("%1% of the frame").arg(percent), percent);
    brush_->setToolTip(tr("The size the network paints at: smaller gives bigger brush strokes and more speed"));
    form->addRow(tr("Brush size"), brush_);
    layout->addLayout(form);
    layout->addStretch(1);

    connect(keepColours_, &QCheckBox::toggled, this, &BlendPanel::emitChange);
    connect(brush_, &QComboBox::currentIndexChanged, this, &BlendPanel::emitChange);
}

QSlider* BlendPanel::weightSlider(int i) const { return i >= 0 && i < styleRows_.size() ? styleRows_[i].slider : nullptr; }

void BlendPanel::setStyles(const QStringList& ids, const QStringList& names)
{
    QList<Row> old = styleRows_;
    styleRows_.clear();
    for (int i = 0; i < ids.size(); ++i) {
        int weight = 50;
        for (const Row& r : old)
            if (r.id == ids[i])
                weight = r.slider->value();
        auto* widget = new QWidget(this);
        auto* row = new QHBoxLayout(widget);
        row->setContentsMargins(0, 0, 0, 0);
        auto* name = new QLabel(i < names.size() ? names[i] : ids[i], widget);
        name->setMinimumWidth(110);
        auto* slider = new QSlider(Qt::Horizontal, widget);
        slider->setRange(0, 100);
        slider->setValue(weight);
        slider->setAccessibleName(tr("Weight of %1").arg(name->text()));
        auto* percent = new QLabel(widget);
        percent->setMinimumWidth(40);
        percent->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        row->addWidget(name);
        row->addWidget(slider, 1);
        row->addWidget(percent);
        rows_->addWidget(widget);
        connect(slider, &QSlider::valueChanged, this, [this] {
            updatePercents();
            emitChange();
        });
        styleRows_.append({ids[i], widget, slider, percent});
    }
    for (const Row& r : old)
        r.widget->deleteLater();
    hint_->setVisible(styleRows_.size() < 2);
    hint_->setText(styleRows_.isEmpty() ? tr("Pick a style in the gallery (or press 1–9, 0).")
                                        : tr("Pick more styles in the gallery to blend them."));
    updatePercents();
    emitChange();
}

void BlendPanel::updatePercents()
{
    int sum = 0;
    for (const Row& r : styleRows_)
        sum += r.slider->value();
    for (const Row& r : styleRows_) {
        const double share = sum > 0 ? 100.0 * r.slider->value() / sum : 100.0 / styleRows_.size();
        r.percent->setText(QStringLiteral("%1%").arg(share, 0, 'f', 0));
        r.slider->setEnabled(styleRows_.size() > 1);
    }
}

stylize::studio::BlendSettings BlendPanel::settings() const
{
    stylize::studio::BlendSettings s;
    for (const Row& r : styleRows_)
        s.styles.append({r.id, double(r.slider->value())});
    s.strength = strength_->value() / 100.0;
    s.preserveColours = keepColours_->isChecked();
    s.sceneLight = sceneLight_->value() / 100.0;
    s.steady = steady_->value() / 100.0;
    s.brushPercent = brush_->currentData().toInt();
    return s;
}

void BlendPanel::setSettings(const stylize::studio::BlendSettings& settings)
{
    applying_ = true;
    strength_->setValue(int(std::lround(settings.strength * 100)));
    keepColours_->setChecked(settings.preserveColours);
    sceneLight_->setValue(int(std::lround(settings.sceneLight * 100)));
    steady_->setValue(int(std::lround(settings.steady * 100)));
    const int brushIndex = brush_->findData(settings.brushPercent);
    brush_->setCurrentIndex(brushIndex >= 0 ? brushIndex : 0);
    for (const auto& w : settings.styles)
        for (Row& r : styleRows_)
            if (r.id == w.id)
                r.slider->setValue(int(std::lround(w.weight)));
    applying_ = false;
    updatePercents();
    emitChange();
}

void BlendPanel::emitChange()
{
    if (!applying_)
        emit blendChanged(settings());
}

}  // namespace stylize::ui
